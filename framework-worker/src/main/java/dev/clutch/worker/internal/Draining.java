package dev.clutch.worker.internal;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The worker's open HTTP connections and whether it is draining. While draining, every response closes its
 * connection ({@code Connection: close}) and idle connections are closed at once.
 */
final class Draining {

    private static final AttributeKey<Boolean> BUSY = AttributeKey.valueOf("clutch.busy");

    private final ChannelGroup connections = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
    private volatile boolean draining;

    void track(Channel channel) {
        connections.add(channel);
    }

    boolean isDraining() {
        return draining;
    }

    static void busy(Channel channel, boolean busy) {
        channel.attr(BUSY).set(busy);
    }

    /** Starts draining: idle connections close now; busy ones after their current response. */
    void start() {
        draining = true;
        for (Channel channel : connections) {
            // On the connection's own thread, so no request can slip in between the check and the close.
            channel.eventLoop().execute(() -> {
                if (!Boolean.TRUE.equals(channel.attr(BUSY).get())) {
                    channel.close();
                }
            });
        }
    }

    /** Cuts whatever is still open. */
    void closeAll() {
        connections.close().awaitUninterruptibly(1, java.util.concurrent.TimeUnit.SECONDS);
    }
}
