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
 * stamped in place and goes to {@link IpcServer.Listener#forward} as bytes, never deserialized; consecutive frames
 * for the same destination go together, as one {@link FrameRun} (the {@link FrameDecoder} joins them as this
 * handler's {@link #runKey} says). Frames for the master itself, and anything malformed, go on to the decoder and
 * {@link ConnectionHandler}.
 */
final class ForwardingHandler extends ChannelInboundHandlerAdapter implements FrameDecoder.Runs {

    static final String NAME = "forwarding";
    private static final Logger log = LoggerFactory.getLogger(ForwardingHandler.class);
    private static final int MASTER = Destination.Kind.MASTER.ordinal();
    private static final int RANDOM_WORKER = Destination.Kind.RANDOM_WORKER.ordinal();

    private final ChildConnection from;
    private final IpcServer.Listener listener;
    private final int appMessageClassByte;

    ForwardingHandler(ChildConnection from, IpcServer.Listener listener, MessageRegistry registry) {
        this.from = from;
        this.listener = listener;
        this.appMessageClassByte = registry.kryoClassByte(AppMessage.class);
    }

    /**
     * Application messages for one destination run together; a random worker is drawn per message, so those go
     * alone, like everything this handler does not forward. A frame that joins a run is stamped here.
     */
    @Override
    public long runKey(ByteBuf in, int at, int frameBytes) {
        if (!EnvelopeFrames.isEnvelope(in, at, frameBytes)) {
            return NONE;
        }
        int kind = EnvelopeFrames.destinationKind(in, at);
        if (kind < 0 || kind == MASTER || kind == RANDOM_WORKER
                || !EnvelopeFrames.carriesAppMessage(in, at, frameBytes, appMessageClassByte)) {
            return NONE;
        }
        EnvelopeFrames.stamp(in, at, from.sender());
        return ((long) kind << 48) | EnvelopeFrames.destinationPid(in, at);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FrameRun run) {
            listener.forward(from, EnvelopeFrames.destination(run.frames()), run);
            return;
        }
        if (!(msg instanceof ByteBuf frame) || !EnvelopeFrames.isEnvelope(frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Destination to = EnvelopeFrames.destination(frame);
        if (to == null || to.kind() == Destination.Kind.MASTER) {
            ctx.fireChannelRead(frame);
            return;
        }
        if (!EnvelopeFrames.carriesAppMessage(frame, frame.readerIndex(), frame.readableBytes(),
                appMessageClassByte)) {
            frame.release();
            log.error("IPC: {} sent a framework message to {}: only application messages go between processes; "
                    + "connection closed", from, to);
            ctx.close();
            return;
        }
        EnvelopeFrames.stamp(frame, frame.readerIndex(), from.sender());
        listener.forward(from, to, new FrameRun(frame, 1));
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
