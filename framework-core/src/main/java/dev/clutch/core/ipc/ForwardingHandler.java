package dev.clutch.core.ipc;

import dev.clutch.core.message.AppMessage;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.MessageRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's fast path for messages between children: an envelope frame for another process has its sender
 * stamped in place and goes to {@link IpcServer.Listener#forward} as bytes, never deserialized. Frames for the
 * master itself, and anything malformed, go on to the decoder and {@link ConnectionHandler}.
 */
final class ForwardingHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "forwarding";
    private static final Logger log = LoggerFactory.getLogger(ForwardingHandler.class);

    private final ChildConnection from;
    private final IpcServer.Listener listener;
    private final int appMessageClassByte;

    ForwardingHandler(ChildConnection from, IpcServer.Listener listener, MessageRegistry registry) {
        this.from = from;
        this.listener = listener;
        this.appMessageClassByte = registry.kryoClassByte(AppMessage.class);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf frame) || !EnvelopeFrames.isEnvelope(frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Destination to = EnvelopeFrames.destination(frame);
        if (to == null || to.kind() == Destination.Kind.MASTER) {
            ctx.fireChannelRead(frame);
            return;
        }
        if (!EnvelopeFrames.carriesAppMessage(frame, appMessageClassByte)) {
            frame.release();
            log.error("IPC: {} sent a framework message to {}: only application messages go between processes; "
                    + "connection closed", from, to);
            ctx.close();
            return;
        }
        EnvelopeFrames.stamp(frame, from.sender());
        listener.forward(from, to, frame);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        listener.forwardsRead(from);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        listener.writabilityChanged(from);
        ctx.fireChannelWritabilityChanged();
    }
}
