package dev.clutch.worker.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one HTTP connection: codec, body aggregation (413 past the limit), one request at a time
 * (pipelined requests wait their turn), idle timeout, then the dispatcher.
 */
final class HttpInitializer extends ChannelInitializer<Channel> {

    private final Dispatcher.Shared shared;
    private final int maxBodyBytes;
    private final long idleMillis;

    HttpInitializer(Dispatcher.Shared shared, int maxBodyBytes, long idleMillis) {
        this.shared = shared;
        this.maxBodyBytes = maxBodyBytes;
        this.idleMillis = idleMillis;
    }

    @Override
    protected void initChannel(Channel ch) {
        shared.draining().track(ch);
        // The dispatcher asks for each next request itself, after the previous response is written.
        ch.config().setAutoRead(false);
        ch.pipeline()
                .addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                .addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(maxBodyBytes))
                .addLast(new FlowControlHandler())
                .addLast(new Dispatcher(shared));
    }
}
