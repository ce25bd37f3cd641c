package dev.clutch.core.ipc;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import dev.clutch.core.message.MessageRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Turns one frame (its length prefix included) into one registered message: an
 * {@link dev.clutch.core.message.Envelope} for envelope frames, the plain object otherwise.
 */
public final class KryoDecoder extends MessageToMessageDecoder<ByteBuf> {

    private final Kryo kryo;
    private Class<?> onlyType;

    public KryoDecoder(MessageRegistry registry) {
        this.kryo = registry.newKryo();
    }

    /** Until {@link #acceptAll()}, refuse every frame that is not a plain {@code type}, before deserializing it. */
    public void acceptOnly(Class<?> type) {
        this.onlyType = type;
    }

    public void acceptAll() {
        this.onlyType = null;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        if (onlyType == null && EnvelopeFrames.isEnvelope(frame)) {
            out.add(EnvelopeFrames.read(kryo, frame));
            frame.skipBytes(frame.readableBytes());
            return;
        }
        frame.skipBytes(Integer.BYTES);
        int length = frame.readableBytes();
        byte[] bytes = ByteBufUtil.getBytes(frame);
        frame.skipBytes(length);
        Input input = new Input(bytes);
        if (onlyType == null) {
            out.add(readChecked(kryo, input, length));
            return;
        }
        Registration registration;
        try {
            registration = kryo.readClass(input);
        } catch (RuntimeException e) {
            throw new MalformedFrameException("frame of " + length + " bytes is not a registered message: "
                    + e.getMessage(), e);
        }
        if (registration == null || registration.getType() != onlyType) {
            throw new MalformedFrameException("expected a " + onlyType.getSimpleName() + " first, got "
                    + (registration == null ? "null" : registration.getType().getSimpleName()), null);
        }
        out.add(read(kryo, input, length, onlyType));
    }

    /**
     * Reads one registered object that must fill the input exactly.
     *
     * @throws MalformedFrameException when it does not, or is not a registered message
     */
    static Object readChecked(Kryo kryo, Input input, int length) {
        return read(kryo, input, length, null);
    }

    /** With {@code type} given, its class is already read: only the object follows. */
    private static Object read(Kryo kryo, Input input, int length, Class<?> type) {
        Object message;
        try {
            message = type == null ? kryo.readClassAndObject(input) : kryo.readObject(input, type);
        } catch (RuntimeException | StackOverflowError e) {
            throw new MalformedFrameException("frame of " + length + " bytes is not a registered message: "
                    + e.getMessage(), e);
        }
        return checkedEnd(message, input, length);
    }

    private static Object checkedEnd(Object message, Input input, int length) {
        if (input.position() != length) {
            throw new MalformedFrameException("frame of " + length + " bytes has " + (length - input.position())
                    + " bytes after its message", null);
        }
        if (message == null) {
            throw new MalformedFrameException("frame of " + length + " bytes holds a null message", null);
        }
        return message;
    }
}
