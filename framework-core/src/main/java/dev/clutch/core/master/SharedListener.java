package dev.clutch.core.master;

import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.ipc.ChildConnection;
import dev.clutch.core.ipc.IpcTransport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;

/**
 * The {@code none} policy: the master binds the listening socket and hands it to every worker; the kernel decides
 * which worker's accept gets a connection. The master itself never accepts.
 */
final class SharedListener implements PortSharing {

    private final Channel channel;
    private final String host;

    private SharedListener(Channel channel, String host) {
        this.channel = channel;
        this.host = host;
    }

    static SharedListener bind(IpcTransport transport, EventLoopGroup group, ClutchConfig config)
            throws IOException {
        Channel channel = ListeningSockets.bind(transport, group, config.httpHost(), config.httpPort(),
                config.httpBacklog(), false, false, new ChannelInboundHandlerAdapter());
        return new SharedListener(channel, config.httpHost());
    }

    @Override
    public void descriptorsConnected(long pid, ChildConnection descriptors) {
        descriptors.sendDescriptor(((UnixChannel) channel).fd());
    }

    @Override
    public int port() {
        return ListeningSockets.portOf(channel);
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
