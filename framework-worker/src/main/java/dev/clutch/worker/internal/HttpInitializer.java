package dev.clutch.worker.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one HTTP connection: idle timeout, codec, body aggregation (413 past the limit), then the
 * dispatcher, which serves one request at a time.
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
        ch.pipeline()
                .addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        Draining.receiving(ctx.channel());
                        ctx.fireChannelRead(msg);
                    }
                })
                .addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                .addLast(new HttpServerCodec())
                .addLast(new BodyAggregator(maxBodyBytes))
                .addLast(new Dispatcher(shared));
    }
}
