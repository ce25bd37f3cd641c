package dev.clutch.core.ipc;

import dev.clutch.core.message.MessageRegistry;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * The codec half of every IPC connection, the same on both ends: a 4-byte length prefix, then one Kryo message.
 * Message bodies over {@code maxFrameBytes} are refused in both directions (the prefix does not count).
 */
public final class IpcPipeline {

    public static final String FRAME_DECODER = "frame-decoder";
    public static final String MESSAGE_DECODER = "message-decoder";
    public static final String MESSAGE_ENCODER = "message-encoder";

    private IpcPipeline() {
    }

    /**
     * The largest frame accepted before a connection has authenticated. A hello names every payload type of the
     * application with its fields, about 250 bytes for a type of ten: room for a thousand such types. At most 64
     * connections wait to authenticate at once, so this bounds what they can hold to 16 MiB.
     */
    public static final int HELLO_MAX_FRAME_BYTES = 256 * 1024;

    /** Bounds what one connection may have unsent: past {@code maxPendingBytes} it stops being writable. */
    public static void limitPending(io.netty.channel.Channel channel, int maxPendingBytes) {
        channel.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(maxPendingBytes / 2,
                maxPendingBytes));
    }

    public static void addCodec(ChannelPipeline pipeline, MessageRegistry registry, int maxFrameBytes) {
        addCodec(pipeline, registry, maxFrameBytes, maxFrameBytes);
    }

    /** With a limit of its own for what arrives: the master's, until the peer has authenticated. */
    public static void addCodec(ChannelPipeline pipeline, MessageRegistry registry, int maxInboundFrameBytes,
                                int maxOutboundFrameBytes) {
        // A burst of messages leaves in few writes instead of one system call each.
        pipeline.addLast(new FlushConsolidationHandler(256, true));
        pipeline.addLast(FRAME_DECODER, new FrameDecoder(maxInboundFrameBytes));
        pipeline.addLast(MESSAGE_DECODER, new KryoDecoder(registry));
        pipeline.addLast(MESSAGE_ENCODER, new KryoEncoder(registry, maxOutboundFrameBytes));
    }
}
