package dev.clutch.core.ipc;

import dev.clutch.core.message.MessageRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes each message as a frame ({@link FrameWriter}). Frames already made (forwarded by the master, or made by
 * the sending thread) and file descriptors pass through. A message over the frame limit fails its write with
 * {@link FrameTooLargeException}; the connection stays usable.
 */
public final class KryoEncoder extends MessageToByteEncoder<Object> {

    private final FrameWriter writer;

    public KryoEncoder(MessageRegistry registry, int maxFrameBytes) {
        this.writer = new FrameWriter(registry, maxFrameBytes);
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return !(msg instanceof ByteBuf) && !(msg instanceof FileDescriptor);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object message, ByteBuf out) {
        writer.write(message, out);
    }
}
