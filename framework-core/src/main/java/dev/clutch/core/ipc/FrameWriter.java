package dev.clutch.core.ipc;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.MessageRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Writes one message as a frame, its 4-byte length prefix first: an {@link Envelope} in the {@link EnvelopeFrames}
 * layout, anything else as a plain Kryo object. Not thread-safe: one per channel, or per thread.
 */
public final class FrameWriter {

    /** Past this the reusable buffer is dropped after use, so one big message does not pin memory. */
    private static final int RETAINED_BUFFER_BYTES = 64 * 1024;

    private final Kryo kryo;
    private final int maxFrameBytes;
    private Output output;

    public FrameWriter(MessageRegistry registry, int maxFrameBytes) {
        this.kryo = registry.newKryo();
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Appends the frame of {@code message} to {@code out}.
     *
     * @throws FrameTooLargeException when the message is over {@code clutch.ipc.maxFrameBytes}; nothing is written
     */
    public void write(Object message, ByteBuf out) {
        int bodyBytes = serialize(message);
        try {
            writeFrame(message, bodyBytes, out);
        } finally {
            release();
        }
    }

    /**
     * The frame of {@code message} in a new buffer of exactly its size.
     *
     * @throws FrameTooLargeException when the message is over {@code clutch.ipc.maxFrameBytes}
     */
    public ByteBuf frame(Object message, ByteBufAllocator allocator) {
        int bodyBytes = serialize(message);
        try {
            int headerBytes = message instanceof Envelope ? EnvelopeFrames.HEADER_BYTES : 0;
            ByteBuf frame = allocator.buffer(Integer.BYTES + headerBytes + bodyBytes);
            writeFrame(message, bodyBytes, frame);
            return frame;
        } finally {
            release();
        }
    }

    private int serialize(Object message) {
        Object body = message instanceof Envelope envelope ? envelope.body() : message;
        int headerBytes = message instanceof Envelope ? EnvelopeFrames.HEADER_BYTES : 0;
        if (output == null) {
            output = new Output(1024, maxFrameBytes);
        }
        output.reset();
        try {
            kryo.writeClassAndObject(output, body);
        } catch (KryoBufferOverflowException e) {
            release();
            throw tooLarge(body);
        }
        if (headerBytes + output.position() > maxFrameBytes) {
            release();
            throw tooLarge(body);
        }
        return output.position();
    }

    private void writeFrame(Object message, int bodyBytes, ByteBuf out) {
        int headerBytes = message instanceof Envelope ? EnvelopeFrames.HEADER_BYTES : 0;
        out.writeInt(headerBytes + bodyBytes);
        if (message instanceof Envelope envelope) {
            EnvelopeFrames.writeHeader(out, envelope);
        }
        out.writeBytes(output.getBuffer(), 0, bodyBytes);
    }

    private FrameTooLargeException tooLarge(Object body) {
        return new FrameTooLargeException(body.getClass().getSimpleName() + " is larger than "
                + "clutch.ipc.maxFrameBytes (" + maxFrameBytes + " bytes); not sent");
    }

    private void release() {
        if (output != null && output.getBuffer().length > RETAINED_BUFFER_BYTES) {
            output = null;
        }
    }
}
