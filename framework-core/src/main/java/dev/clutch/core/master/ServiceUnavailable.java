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
 * never reads requests, so it answers without one, and it reads and drops what the client sent before closing:
 * closing a socket with unread input resets it, and a reset can destroy the answer before the client reads it.
 * Not knowing the request, it sends a body even to a {@code HEAD}: harmless, as the connection closes after it.
 */
final class ServiceUnavailable {

    /** How long the client has to read the answer and close its end. */
    private static final long LINGER_SECONDS = 2;

    private ServiceUnavailable() {
    }

    static void answer(Channel connection, String why) {
        byte[] body = (why + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf response = Unpooled.buffer();
        response.writeCharSequence("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n",
                StandardCharsets.US_ASCII);
        response.writeBytes(body);
        connection.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object message) {
                ReferenceCountUtil.release(message);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        });
        connection.config().setAutoRead(true);
        connection.writeAndFlush(response).addListener(written -> {
            if (written.isSuccess() && connection instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                connection.close();
            }
        });
        ScheduledFuture<?> linger = connection.eventLoop().schedule(() -> connection.close(), LINGER_SECONDS,
                TimeUnit.SECONDS);
        connection.closeFuture().addListener(closed -> linger.cancel(false));
    }
}
