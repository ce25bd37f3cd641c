package dev.clutch.core.ipc;

import dev.clutch.core.message.AppMessage;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.MessageRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The master's fast path for messages between children: an envelope frame for another process has its sender
 * stamped in place and goes to {@link IpcServer.Listener#forward} as bytes, never deserialized; consecutive frames
 * for the same destination go together, as one {@link FrameRun} (the {@link FrameDecoder} joins them as this
 * handler's {@link #runKey} says). Frames for the master itself, and anything malformed, go on to the decoder and
 * {@link ConnectionHandler}.
 */
final class ForwardingHandler extends ChannelInboundHandlerAdapter implements FrameDecoder.Runs {

    static final String NAME = "forwarding";
    private static final int MASTER = Destination.Kind.MASTER.ordinal();
    private static final int RANDOM_WORKER = Destination.Kind.RANDOM_WORKER.ordinal();

    private final ChildConnection from;
    private final IpcServer.Listener listener;
    private final int appMessageClassByte;
    private long randomRuns;

    ForwardingHandler(ChildConnection from, IpcServer.Listener listener, MessageRegistry registry) {
        this.from = from;
        this.listener = listener;
        this.appMessageClassByte = registry.kryoClassByte(AppMessage.class);
    }

    /**
     * Application messages for one destination run together; a random worker is drawn per message, so each of
     * those is a run of its own. A frame that gets a key is stamped here. Everything else ({@link #NONE}) goes on
     * to the decoder: the master's own messages, and what {@link ConnectionHandler} refuses.
     */
    @Override
    public long runKey(ByteBuf in, int at, int frameBytes) {
        if (!EnvelopeFrames.isEnvelope(in, at, frameBytes)) {
            return NONE;
        }
        int kind = EnvelopeFrames.destinationKind(in, at);
        if (kind < 0 || kind == MASTER
                || !EnvelopeFrames.carriesAppMessage(in, at, frameBytes, appMessageClassByte)) {
            return NONE;
        }
        EnvelopeFrames.stamp(in, at, from.sender());
        // Keys of random-worker messages never repeat (the top bit marks them; the rest counts).
        return kind == RANDOM_WORKER ? Long.MIN_VALUE | (randomRuns++ & Long.MAX_VALUE)
                : ((long) kind << 48) | EnvelopeFrames.destinationPid(in, at);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FrameRun run) {
            listener.forward(from, EnvelopeFrames.destination(run.frames()), run);
        } else if (msg instanceof ByteBuf frame && runKey(frame, frame.readerIndex(), frame.readableBytes()) != NONE) {
            // Cut before this connection authenticated, in the read that brought its hello.
            listener.forward(from, EnvelopeFrames.destination(frame), new FrameRun(frame, 1));
        } else {
            ctx.fireChannelRead(msg);
        }
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
