package dev.clutch.core.master;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The master's own HTTP answer to a connection no worker took in time: a 503, then a lingering close. The master
 * does not parse requests; it looks at the first bytes the client sent only to leave the body out for a
 * {@code HEAD}, as HTTP asks, and reads and drops the rest before closing: closing a socket with unread input resets
 * it, and a reset can destroy the answer before the client reads it.
 */
final class ServiceUnavailable extends ChannelInboundHandlerAdapter {

    /** How long the client has to read the answer and close its end. */
    private static final long LINGER_SECONDS = 2;
    /**
     * How long the answer waits for the request's first bytes. A connection gets this answer after waiting for a
     * worker, so its request is normally there already; a client that sent nothing gets the answer with its body.
     */
    private static final long REQUEST_WAIT_MILLIS = 100;
    private static final byte[] HEAD = "HEAD ".getBytes(StandardCharsets.US_ASCII);

    private final String why;
    private boolean answered;

    private ServiceUnavailable(String why) {
        this.why = why;
    }

    static void answer(Channel connection, String why) {
        connection.pipeline().addLast(new ServiceUnavailable(why));
        connection.config().setAutoRead(true);
        ScheduledFuture<?> linger = connection.eventLoop().schedule(() -> connection.close(),
                LINGER_SECONDS, TimeUnit.SECONDS);
        connection.closeFuture().addListener(closed -> linger.cancel(false));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> respond(ctx, false), REQUEST_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        try {
            if (!answered && message instanceof ByteBuf bytes) {
                respond(ctx, startsWithHead(bytes));
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static boolean startsWithHead(ByteBuf bytes) {
        if (bytes.readableBytes() < HEAD.length) {
            return false;
        }
        for (int i = 0; i < HEAD.length; i++) {
            if (bytes.getByte(bytes.readerIndex() + i) != HEAD[i]) {
                return false;
            }
        }
        return true;
    }

    private void respond(ChannelHandlerContext ctx, boolean headersOnly) {
        if (answered || !ctx.channel().isActive()) {
            return;
        }
        answered = true;
        byte[] body = (why + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf response = Unpooled.buffer();
        response.writeCharSequence("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n",
                StandardCharsets.US_ASCII);
        if (!headersOnly) {
            response.writeBytes(body);
        }
        Channel connection = ctx.channel();
        ctx.writeAndFlush(response).addListener(written -> {
            if (written.isSuccess() && connection instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                connection.close();
            }
        });
    }
}
