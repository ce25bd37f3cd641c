package dev.clutch.core.master;

import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.ipc.IpcTransport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;

/**
 * The {@code reuseport} policy: every worker binds its own socket with SO_REUSEPORT. The master only binds once to
 * check the port is free (and to pick one when it is 0), then lets go: a socket it kept listening would get its
 * share of connections and never accept them.
 */
final class ReusePortProbe implements PortSharing {

    private final String host;
    private final int port;

    private ReusePortProbe(String host, int port) {
        this.host = host;
        this.port = port;
    }

    static ReusePortProbe probe(IpcTransport transport, EventLoopGroup group, ClutchConfig config)
            throws IOException {
        // Without SO_REUSEPORT: if anything holds the port, even another reuseport cluster, this start fails.
        Channel probe = ListeningSockets.bind(transport, group, config.httpHost(), config.httpPort(), 1, false,
                false, new ChannelInboundHandlerAdapter());
        int port = ListeningSockets.portOf(probe);
        probe.close().syncUninterruptibly();
        return new ReusePortProbe(config.httpHost(), port);
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public void close() {
        // Nothing held.
    }
}
