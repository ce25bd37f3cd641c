package dev.clutch.core.master;

import dev.clutch.core.ipc.IpcTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * The HTTP listening socket, bound by the master before any child starts (so a port in use fails the start at
 * once) and handed to every worker over IPC. The master itself never accepts on it.
 */
public final class SharedListener implements AutoCloseable {

    private final Channel channel;
    private final String host;

    private SharedListener(Channel channel, String host) {
        this.channel = channel;
        this.host = host;
    }

    /**
     * Binds {@code host:port}.
     *
     * @throws IOException naming host and port when the port is taken or the address is not local
     */
    public static SharedListener bind(IpcTransport transport, EventLoopGroup group, String host, int port,
                                      int backlog) throws IOException {
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverSocketChannel())
                    .option(ChannelOption.SO_BACKLOG, backlog)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    // Workers accept; the master only holds the socket open.
                    .option(ChannelOption.AUTO_READ, false)
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(host, port)
                    .sync()
                    .channel();
            return new SharedListener(channel, host);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + host + ":" + port, e);
        } catch (Exception e) {
            String why = e instanceof BindException || String.valueOf(e.getMessage()).contains("in use")
                    ? "the port is already in use by another process: stop it, or choose another port with "
                    + "clutch.http.port, CLUTCH_PORT or --port"
                    : e.getMessage();
            throw new IOException("cannot listen on " + host + ":" + port + ": " + why, e);
        }
    }

    public FileDescriptor descriptor() {
        return ((UnixChannel) channel).fd();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public String url() {
        return "http://" + host + ":" + port();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
