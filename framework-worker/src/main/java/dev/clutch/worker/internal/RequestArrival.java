package dev.clutch.worker.internal;

import dev.clutch.core.logging.LogThrottle;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks a connection as receiving while a request's bytes arrive (a drain leaves it open until the request is
 * served), and ends one whose request has not arrived whole within {@code clutch.http.idleTimeout} of its first
 * bytes: a client sending a byte now and then (slowloris) is never idle, and would otherwise hold the connection
 * for as long as it likes. The dispatcher answers such a request 408 ({@link TimedOut}), so a client uploading
 * too slowly learns why, then closes the connection. One check per connection and timeout, not one per request.
 */
final class RequestArrival extends ChannelInboundHandlerAdapter {

    /** The event of a request that did not arrive whole in time. */
    record TimedOut(long limitMillis) {
    }

    private static final Logger log = LoggerFactory.getLogger(RequestArrival.class);
    /** Slow clients come by the thousand when they come: one line a second. */
    private static final LogThrottle closedLog = new LogThrottle(Duration.ofSeconds(1));

    private final long limitNanos;
    private long receivingSinceNanos;
    private ScheduledFuture<?> check;

    RequestArrival(long limitMillis) {
        this.limitNanos = TimeUnit.MILLISECONDS.toNanos(limitMillis);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!Draining.isReceiving(ctx.channel()) && !onlyLineEnds(msg)) {
            receivingSinceNanos = System.nanoTime();
            Draining.receiving(ctx.channel());
            if (check == null) {
                checkIn(ctx, limitNanos);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Line ends between requests start none: some clients send one after a body, and the codec skips them. Such a
     * connection is idle, not receiving (a drain would wait for it, and its deadline would answer 408).
     */
    private static boolean onlyLineEnds(Object msg) {
        return msg instanceof ByteBuf bytes && bytes.forEachByte(b -> b == '\r' || b == '\n') == -1;
    }

    private void checkIn(ChannelHandlerContext ctx, long nanos) {
        check = ctx.executor().schedule(() -> check(ctx), nanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        check = null;
        if (!Draining.isReceiving(ctx.channel())) {
            // Arrived and dispatched: the next request's first bytes start a new check.
            return;
        }
        if (Draining.isBusy(ctx.channel())) {
            // A request in flight: the client waits for the server, and what it sends meanwhile waits its turn.
            // Its clock starts again.
            receivingSinceNanos = System.nanoTime();
            checkIn(ctx, limitNanos);
            return;
        }
        long waited = System.nanoTime() - receivingSinceNanos;
        if (waited < limitNanos) {
            checkIn(ctx, limitNanos - waited);
            return;
        }
        long limitMillis = TimeUnit.NANOSECONDS.toMillis(limitNanos);
        closedLog.log(heldBack -> log.info("answered 408 and closed the connection from {}: its request did not "
                + "arrive whole within {} ms of its first bytes (clutch.http.idleTimeout){}",
                ctx.channel().remoteAddress(), limitMillis, LogThrottle.andMore(heldBack)));
        ctx.fireUserEventTriggered(new TimedOut(limitMillis));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        ctx.fireChannelInactive();
    }
}
