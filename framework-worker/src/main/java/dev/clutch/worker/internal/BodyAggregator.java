package dev.clutch.worker.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Netty's aggregator, except that a body over the limit is not answered here (Netty would write its 413 at once,
 * ahead of the responses of pipelined requests still in flight): the dispatcher gets an {@link OversizedRequest}
 * and answers it in order.
 */
final class BodyAggregator extends HttpObjectAggregator {

    BodyAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    /**
     * Only {@code 100 Continue} is written here, and only when it is the connection's turn to answer. Netty would
     * write its 413 (body over the limit) or 417 (an expectation it does not know) at once too, out of turn: without
     * them, the first becomes an {@link OversizedRequest} and the second reaches the dispatcher, which answers both
     * in order. (Netty is not asked about them at all: for a 417 it also makes the decoder skip the body, which then
     * reads as a request.)
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        boolean tooLarge = HttpUtil.is100ContinueExpected(start)
                && HttpUtil.getContentLength(start, -1L) > maxContentLength;
        if (unsupportedExpectation(start) || tooLarge || !answersInTurn(pipeline.channel())) {
            return null;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    /**
     * Whether a {@code 100 Continue} written now would be read as the answer to this request: not while an earlier
     * request's response is in progress (the client would take it for that one's), nor once the output is shut
     * (the connection lingers after a 413). The client then sends its body when its wait for the 100 runs out.
     */
    private static boolean answersInTurn(Channel channel) {
        return !Draining.isBusy(channel) && !(channel instanceof DuplexChannel duplex && duplex.isOutputShutdown());
    }

    /** An {@code Expect} other than {@code 100-continue}, the only one HTTP/1.1 defines: answered 417. */
    static boolean unsupportedExpectation(HttpMessage message) {
        String expect = message.headers().get(HttpHeaderNames.EXPECT);
        return expect != null && message instanceof HttpRequest
                && message.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (oversized instanceof HttpRequest request) {
            ctx.fireChannelRead(new OversizedRequest(request.method().name(), request.uri(),
                    request.headers().get("x-request-id")));
        } else {
            ctx.close();
        }
    }
}
