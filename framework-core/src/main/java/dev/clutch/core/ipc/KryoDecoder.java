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

/** Turns one frame (its length prefix already removed) into one registered message. */
public final class KryoDecoder extends MessageToMessageDecoder<ByteBuf> {

    private final Kryo kryo;
    private Class<?> onlyType;

    public KryoDecoder(MessageRegistry registry) {
        this.kryo = registry.newKryo();
    }

    /** Until {@link #acceptAll()}, refuse every frame that is not a {@code type}, before deserializing it. */
    public void acceptOnly(Class<?> type) {
        this.onlyType = type;
    }

    public void acceptAll() {
        this.onlyType = null;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        int length = frame.readableBytes();
        byte[] bytes = ByteBufUtil.getBytes(frame);
        frame.skipBytes(length);
        Input input = new Input(bytes);
        Object message;
        try {
            if (onlyType == null) {
                message = kryo.readClassAndObject(input);
            } else {
                Registration registration = kryo.readClass(input);
                if (registration == null || registration.getType() != onlyType) {
                    throw new MalformedFrameException("expected a " + onlyType.getSimpleName() + " first, got "
                            + (registration == null ? "null" : registration.getType().getSimpleName()), null);
                }
                message = kryo.readObject(input, onlyType);
            }
        } catch (MalformedFrameException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new MalformedFrameException("frame of " + length + " bytes is not a registered message: "
                    + e.getMessage(), e);
        }
        if (input.position() != length) {
            throw new MalformedFrameException("frame of " + length + " bytes has " + (length - input.position())
                    + " bytes after its message", null);
        }
        if (message == null) {
            throw new MalformedFrameException("frame of " + length + " bytes holds a null message", null);
        }
        out.add(message);
    }
}
