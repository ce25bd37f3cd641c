package dev.clutch.worker.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/**
 * Stops a connection's reads while its dispatcher holds as many pipelined requests as it may. Turning
 * {@code autoRead} off alone does not: Netty's codec and aggregator ask for the next read themselves while a
 * request is incomplete, so a client streaming bodies behind a slow request would be read on, body after body.
 * First in the pipeline, so every read asked for passes here.
 */
final class ReadGate extends ChannelOutboundHandlerAdapter {

    private boolean shut;

    /** No more reads until {@link #open}. */
    void shut(Channel channel) {
        shut = true;
        channel.config().setAutoRead(false);
    }

    void open(Channel channel) {
        shut = false;
        channel.config().setAutoRead(true);
    }

    boolean isShut() {
        return shut;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!shut) {
            ctx.read();
        }
    }
}
