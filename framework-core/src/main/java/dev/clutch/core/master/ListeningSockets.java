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
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;

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
            String where = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
            throw new IOException("cannot listen on " + where + ": " + why(e, host, port), e);
        }
    }

    /** What the bind's failure means, and what to do: the system's words alone rarely say. */
    private static String why(Exception e, String host, int port) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof BindException || message.contains("in use")) {
            return "the port is already in use by another process: stop it, or choose another port with "
                    + "clutch.http.port, CLUTCH_PORT or --port";
        }
        if (e instanceof UnresolvedAddressException || e instanceof UnknownHostException
                || e.getCause() instanceof UnknownHostException) {
            return "the host name " + host + " does not resolve: set clutch.http.host to a name or address of this "
                    + "host (127.0.0.1 for this host only, 0.0.0.0 for every interface)";
        }
        if (message.contains("Cannot assign requested address")) {
            return "no network interface of this host has the address " + host + ": set clutch.http.host to one "
                    + "of its addresses (127.0.0.1 for this host only, 0.0.0.0 for every interface)";
        }
        if (message.contains("Permission denied") && port < 1024) {
            return "ports below 1024 need privileges: choose a port of 1024 or more (clutch.http.port), or give "
                    + "the JVM CAP_NET_BIND_SERVICE (setcap, or AmbientCapabilities in systemd)";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    static int portOf(Channel channel) {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }
}
