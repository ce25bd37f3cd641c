package dev.clutch.worker.internal;

import dev.clutch.core.logging.ProcessLabel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/** The pipeline of one HTTP connection. */
final class HttpInitializer extends ChannelInitializer<Channel> {

    private static final int MAX_BODY_BYTES = 1024 * 1024;

    private final ProcessLabel label;
    private final ChannelGroup connections;
    private final InFlight inFlight;

    HttpInitializer(ProcessLabel label, ChannelGroup connections, InFlight inFlight) {
        this.label = label;
        this.connections = connections;
        this.inFlight = inFlight;
    }

    @Override
    protected void initChannel(Channel ch) {
        connections.add(ch);
        ch.pipeline()
                .addLast(new HttpServerCodec())
                .addLast(new HttpServerKeepAliveHandler())
                .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                .addLast(new BuiltinRoutesHandler(label, inFlight));
    }
}
