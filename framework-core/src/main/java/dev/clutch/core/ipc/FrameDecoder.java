package dev.clutch.core.ipc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the stream into frames: a 4-byte length, then that many bytes; each frame keeps its length prefix. A frame over the limit fails with
 * {@link TooLongFrameException} before its bytes are buffered. The limit can be raised once a connection has
 * authenticated, so an unknown peer never gets the full frame size.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private int maxFrameBytes;

    public FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Allows frames of up to {@code bytes} from now on. */
    public void limit(int bytes) {
        this.maxFrameBytes = bytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < Integer.BYTES) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 0 || length > maxFrameBytes) {
            in.skipBytes(in.readableBytes());
            throw new TooLongFrameException("frame of " + Integer.toUnsignedString(length) + " bytes, limit "
                    + maxFrameBytes);
        }
        if (in.readableBytes() < Integer.BYTES + length) {
            return;
        }
        // The prefix stays on: a frame the master forwards leaves exactly as it came.
        out.add(in.readRetainedSlice(Integer.BYTES + length));
    }
}
