package dev.clutch.core.ipc;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.MessageRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes one message as a frame, its 4-byte length prefix first: an {@link Envelope} in the {@link EnvelopeFrames}
 * layout, anything else as a plain Kryo object. Frames the master forwards unchanged ({@link ByteBuf}s, prefix
 * included) and file descriptors pass through. A message over the frame limit fails its write with
 * {@link FrameTooLargeException}; the connection stays usable.
 */
public final class KryoEncoder extends MessageToByteEncoder<Object> {

    /** Past this the reusable buffer is dropped after use, so one big message does not pin memory per channel. */
    private static final int RETAINED_BUFFER_BYTES = 64 * 1024;

    private final Kryo kryo;
    private final int maxFrameBytes;
    private Output output;

    public KryoEncoder(MessageRegistry registry, int maxFrameBytes) {
        this.kryo = registry.newKryo();
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return !(msg instanceof ByteBuf) && !(msg instanceof FileDescriptor);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object message, ByteBuf out) {
        Object body = message instanceof Envelope envelope ? envelope.body() : message;
        int headerBytes = message instanceof Envelope ? EnvelopeFrames.HEADER_BYTES : 0;
        if (output == null) {
            output = new Output(1024, maxFrameBytes);
        }
        output.reset();
        try {
            kryo.writeClassAndObject(output, body);
            if (headerBytes + output.position() > maxFrameBytes) {
                throw new KryoBufferOverflowException("header and body over the limit");
            }
            out.writeInt(headerBytes + output.position());
            if (message instanceof Envelope envelope) {
                EnvelopeFrames.writeHeader(out, envelope);
            }
            out.writeBytes(output.getBuffer(), 0, output.position());
        } catch (KryoBufferOverflowException e) {
            throw new FrameTooLargeException(body.getClass().getSimpleName() + " is larger than "
                    + "clutch.ipc.maxFrameBytes (" + maxFrameBytes + " bytes); not sent");
        } finally {
            if (output.getBuffer().length > RETAINED_BUFFER_BYTES) {
                output = null;
            }
        }
    }
}
