package dev.clutch.core.master;

import dev.clutch.core.ipc.IpcTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.UnixChannelOption;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/** Binds the master's TCP sockets, with one wording for a port that is taken. */
final class ListeningSockets {

    private ListeningSockets() {
    }

    /**
     * @param accept whether the master accepts on the socket itself ({@code rr}) or only holds it open
     * @param reusePort whether other sockets may bind the same port ({@code reuseport})
     */
    static Channel bind(IpcTransport transport, EventLoopGroup group, String host, int port, int backlog,
                        boolean accept, boolean reusePort, ChannelHandler childHandler) throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, backlog)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, accept)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(childHandler);
        if (reusePort) {
            bootstrap.option(UnixChannelOption.SO_REUSEPORT, true);
        }
        try {
            return bootstrap.bind(host, port).sync().channel();
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

    static int portOf(Channel channel) {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }
}
