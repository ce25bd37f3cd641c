package dev.clutch.core.ipc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the stream into frames: a 4-byte length, then that many bytes; each frame keeps its length prefix. A
 * frame over the limit fails with {@link TooLongFrameException} before its bytes are buffered. The limit can be
 * raised once a connection has authenticated, so an unknown peer never gets the full frame size.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private int maxFrameBytes;
    private boolean oneFrameAtATime;
    private Runs runs;

    public FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Allows frames of up to {@code bytes} from now on. */
    public void limit(int bytes) {
        this.maxFrameBytes = bytes;
        this.oneFrameAtATime = false;
    }

    /**
     * Passes on one frame per decoding until {@link #limit} raises the limit: the frames that follow a hello in
     * the same read are measured against the limit its authentication sets, not the one before it.
     */
    public void oneFrameUntilLimitRaised() {
        this.oneFrameAtATime = true;
    }

    /** Lets consecutive frames that {@code runs} gives one key leave as one {@link FrameRun}. */
    public void joinRuns(Runs runs) {
        this.runs = runs;
    }

    /** Which consecutive frames may leave together: the master's forwarding, once a connection authenticated. */
    public interface Runs {
        long NONE = -1;

        /** The run the complete frame of {@code frameBytes} at {@code at} may join, as a key; {@link #NONE}: alone. */
        long runKey(ByteBuf in, int at, int frameBytes);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // The reader index stays at the start of the pending run; {@code at} is where the next frame starts.
        int at = in.readerIndex();
        int runBytes = 0;
        int runFrames = 0;
        long runKey = Runs.NONE;
        while (in.writerIndex() - at >= Integer.BYTES) {
            int length = in.getInt(at);
            if (length < 0 || length > maxFrameBytes) {
                if (runFrames > 0) {
                    out.add(new FrameRun(in.readRetainedSlice(runBytes), runFrames));
                }
                in.skipBytes(in.readableBytes());
                if (length < 0) {
                    // No frame at all: the stream is corrupt, and no setting would make it fit.
                    throw new MalformedFrameException("a corrupt length prefix (" + length + ")", null);
                }
                throw new TooLongFrameException("frame of " + length + " bytes, limit " + maxFrameBytes);
            }
            int frameBytes = Integer.BYTES + length;
            if (in.writerIndex() - at < frameBytes) {
                break;
            }
            long key = runs == null ? Runs.NONE : runs.runKey(in, at, frameBytes);
            if (key != Runs.NONE && key == runKey) {
                runBytes += frameBytes;
                runFrames++;
            } else {
                if (runFrames > 0) {
                    out.add(new FrameRun(in.readRetainedSlice(runBytes), runFrames));
                }
                if (key == Runs.NONE) {
                    // The prefix stays on: a frame the master forwards leaves exactly as it came.
                    out.add(in.readRetainedSlice(frameBytes));
                    if (oneFrameAtATime) {
                        // Netty hands this frame on before it decodes the rest, with the limit it then has.
                        return;
                    }
                    runFrames = 0;
                    runBytes = 0;
                } else {
                    runFrames = 1;
                    runBytes = frameBytes;
                }
                runKey = key;
            }
            at += frameBytes;
        }
        if (runFrames > 0) {
            out.add(new FrameRun(in.readRetainedSlice(runBytes), runFrames));
        }
    }
}
