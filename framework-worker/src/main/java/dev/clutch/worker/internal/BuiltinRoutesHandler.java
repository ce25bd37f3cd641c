package dev.clutch.worker.internal;

import dev.clutch.core.logging.ProcessLabel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the framework's own routes: {@code GET /_clutch/health} reports this worker. Every response names the
 * worker's pid in {@code X-Clutch-Worker}. Application routes arrive with the router.
 */
final class BuiltinRoutesHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final String WORKER_HEADER = "X-Clutch-Worker";
    private static final Logger log = LoggerFactory.getLogger(BuiltinRoutesHandler.class);
    private static final long PID = ProcessHandle.current().pid();

    private final ProcessLabel label;
    private final InFlight inFlight;

    BuiltinRoutesHandler(ProcessLabel label, InFlight inFlight) {
        this.label = label;
        this.inFlight = inFlight;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        inFlight.begin();
        try {
            FullHttpResponse response;
            if (!request.decoderResult().isSuccess()) {
                response = text(HttpResponseStatus.BAD_REQUEST, "malformed request\n");
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (request.uri().equals("/_clutch/health") || request.uri().startsWith("/_clutch/health?")) {
                response = json(HttpResponseStatus.OK, "{\"status\":\"up\",\"role\":\"worker\",\"worker\":"
                        + label.workerId() + ",\"pid\":" + PID + "}");
            } else {
                response = text(HttpResponseStatus.NOT_FOUND, "no route for " + request.method() + " "
                        + request.uri() + "\n");
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
            HttpUtil.setKeepAlive(response, keepAlive);
            var written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        } finally {
            inFlight.end();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, body, "text/plain; charset=utf-8");
    }

    private static FullHttpResponse json(HttpResponseStatus status, String body) {
        return response(status, body, "application/json");
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body, String contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        response.headers().set(WORKER_HEADER, PID);
        return response;
    }
}
