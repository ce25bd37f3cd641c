package dev.clutch.worker.internal;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The worker's open HTTP connections and whether it is draining. While draining, every response closes its
 * connection ({@code Connection: close}) and idle connections are closed at once.
 */
final class Draining {

    private static final AttributeKey<Boolean> BUSY = AttributeKey.valueOf("clutch.busy");
    private static final AttributeKey<Boolean> RECEIVING = AttributeKey.valueOf("clutch.receiving");
    /** How long a connection that opens during the drain may take to send its request. */
    static final long LATE_CONNECTION_GRACE_MILLIS = 1000;

    private final ChannelGroup connections = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
    private volatile boolean draining;

    void track(Channel channel) {
        connections.add(channel);
        if (draining) {
            // Accepted as the listener closed: its request may be on its way, so it gets a moment to send it (and is
            // answered with Connection: close); still idle then, it closes as the others did.
            channel.eventLoop().schedule(() -> closeIfIdle(channel), LATE_CONNECTION_GRACE_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    boolean isDraining() {
        return draining;
    }

    /** A request is being served on the connection (or no longer is). */
    static void busy(Channel channel, boolean busy) {
        channel.attr(RECEIVING).set(false);
        channel.attr(BUSY).set(busy);
    }

    /** Bytes of a request arrived on the connection: it is not idle, even before the request is complete. */
    static void receiving(Channel channel) {
        channel.attr(RECEIVING).set(true);
    }

    /** Whether a request is arriving on the connection, not yet dispatched. */
    static boolean isReceiving(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(RECEIVING).get());
    }

    /** Whether a request of the connection is being served. */
    static boolean isBusy(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(BUSY).get());
    }

    /** Starts draining: idle connections close now; busy ones after their current response. */
    void start() {
        draining = true;
        for (Channel channel : connections) {
            // On the connection's own thread, so no request can slip in between the check and the close.
            channel.eventLoop().execute(() -> closeIfIdle(channel));
        }
    }

    private static void closeIfIdle(Channel channel) {
        if (!isBusy(channel) && !isReceiving(channel)) {
            channel.close();
        }
    }

    /** Connections still open. */
    int open() {
        return connections.size();
    }

    /**
     * Waits until every connection closed by itself (each closes after its response while draining), at most
     * until {@code deadlineNanos}; true if none is left.
     */
    boolean awaitClosed(long deadlineNanos) {
        while (!connections.isEmpty() && System.nanoTime() - deadlineNanos < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return connections.isEmpty();
    }

    /** Cuts whatever is still open. */
    void closeAll() {
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
}
