package dev.clutch.core.ipc;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import dev.clutch.core.message.MessageRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes one message as the body of a frame ({@link IpcPipeline} adds the length prefix). A message over the frame
 * limit fails its write with {@link FrameTooLargeException}; the connection stays usable.
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
    protected void encode(ChannelHandlerContext ctx, Object message, ByteBuf out) {
        if (output == null) {
            output = new Output(1024, maxFrameBytes);
        }
        output.reset();
        try {
            kryo.writeClassAndObject(output, message);
            out.writeBytes(output.getBuffer(), 0, output.position());
        } catch (KryoBufferOverflowException e) {
            throw new FrameTooLargeException(message.getClass().getSimpleName() + " is larger than "
                    + "clutch.ipc.maxFrameBytes (" + maxFrameBytes + " bytes); not sent");
        } finally {
            if (output.getBuffer().length > RETAINED_BUFFER_BYTES) {
                output = null;
            }
        }
    }
}
