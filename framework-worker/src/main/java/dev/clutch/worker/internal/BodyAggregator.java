package dev.clutch.worker.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Netty's aggregator, except that a body over the limit is not answered here (Netty would write its 413 at once,
 * ahead of the responses of pipelined requests still in flight): the dispatcher gets an {@link OversizedRequest}
 * and answers it in order.
 */
final class BodyAggregator extends HttpObjectAggregator {

    BodyAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (oversized instanceof HttpRequest request) {
            ctx.fireChannelRead(new OversizedRequest(request.method().name(), request.uri()));
        } else {
            ctx.close();
        }
    }
}
