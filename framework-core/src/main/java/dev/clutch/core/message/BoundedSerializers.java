package dev.clutch.core.message;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.charset.StandardCharsets;

/**
 * Serializers for variable-length types that check a declared length against the bytes left in the frame before
 * allocating. Kryo's defaults allocate whatever length a frame claims, so a ten-byte frame could ask for gigabytes.
 */
final class BoundedSerializers {

    private BoundedSerializers() {
    }

    /** Reads a length written as {@code length + 1} (0 meaning null) and checks it fits in what is left. */
    static int readLength(Input input, int bytesPerElement, String what) {
        int lengthPlusOne = input.readVarInt(true);
        if (lengthPlusOne == 0) {
            return -1;
        }
        int length = lengthPlusOne - 1;
        long remaining = input.limit() - input.position();
        if ((long) length * bytesPerElement > remaining) {
            throw new KryoException(what + " claims length " + length + " but the frame has only " + remaining
                    + " bytes left");
        }
        return length;
    }

    static void writeLength(Output output, Object value, int length) {
        output.writeVarInt(value == null ? 0 : length + 1, true);
    }

    static final class StringSerializer extends Serializer<String> {
        StringSerializer() {
            setAcceptsNull(true);
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, String value) {
            byte[] bytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
            writeLength(output, value, bytes == null ? 0 : bytes.length);
            if (bytes != null) {
                output.writeBytes(bytes);
            }
        }

        @Override
        public String read(Kryo kryo, Input input, Class<? extends String> type) {
            int length = readLength(input, 1, "string");
            return length < 0 ? null : new String(input.readBytes(length), StandardCharsets.UTF_8);
        }
    }

    static final class ByteArraySerializer extends Serializer<byte[]> {
        ByteArraySerializer() {
            setAcceptsNull(true);
        }

        @Override
        public void write(Kryo kryo, Output output, byte[] value) {
            writeLength(output, value, value == null ? 0 : value.length);
            if (value != null) {
                output.writeBytes(value);
            }
        }

        @Override
        public byte[] read(Kryo kryo, Input input, Class<? extends byte[]> type) {
            int length = readLength(input, 1, "byte array");
            return length < 0 ? null : input.readBytes(length);
        }

        @Override
        public byte[] copy(Kryo kryo, byte[] original) {
            return original.clone();
        }
    }

    static final class LongArraySerializer extends Serializer<long[]> {
        LongArraySerializer() {
            setAcceptsNull(true);
        }

        @Override
        public void write(Kryo kryo, Output output, long[] value) {
            writeLength(output, value, value == null ? 0 : value.length);
            if (value != null) {
                output.writeLongs(value, 0, value.length);
            }
        }

        @Override
        public long[] read(Kryo kryo, Input input, Class<? extends long[]> type) {
            int length = readLength(input, Long.BYTES, "long array");
            return length < 0 ? null : input.readLongs(length);
        }

        @Override
        public long[] copy(Kryo kryo, long[] original) {
            return original.clone();
        }
    }

    static final class StringArraySerializer extends Serializer<String[]> {
        private final StringSerializer strings = new StringSerializer();

        StringArraySerializer() {
            setAcceptsNull(true);
        }

        @Override
        public void write(Kryo kryo, Output output, String[] value) {
            writeLength(output, value, value == null ? 0 : value.length);
            if (value != null) {
                for (String s : value) {
                    strings.write(kryo, output, s);
                }
            }
        }

        @Override
        public String[] read(Kryo kryo, Input input, Class<? extends String[]> type) {
            int length = readLength(input, 1, "string array");
            if (length < 0) {
                return null;
            }
            String[] result = new String[length];
            for (int i = 0; i < length; i++) {
                result[i] = strings.read(kryo, input, String.class);
            }
            return result;
        }
    }

    static final class ByteArrayArraySerializer extends Serializer<byte[][]> {
        private final ByteArraySerializer arrays = new ByteArraySerializer();

        ByteArrayArraySerializer() {
            setAcceptsNull(true);
        }

        @Override
        public void write(Kryo kryo, Output output, byte[][] value) {
            writeLength(output, value, value == null ? 0 : value.length);
            if (value != null) {
                for (byte[] element : value) {
                    arrays.write(kryo, output, element);
                }
            }
        }

        @Override
        public byte[][] read(Kryo kryo, Input input, Class<? extends byte[][]> type) {
            int length = readLength(input, 1, "array of byte arrays");
            if (length < 0) {
                return null;
            }
            byte[][] result = new byte[length][];
            for (int i = 0; i < length; i++) {
                result[i] = arrays.read(kryo, input, byte[].class);
            }
            return result;
        }
    }

    /**
     * The message every application send travels in, written field by field: the hottest type on the wire, where
     * Kryo's reflective record serializer would cost more than the routing. The kind and correlation come first, so
     * the master can tell requests and replies apart without reading the rest ({@code EnvelopeFrames}).
     */
    static final class AppMessageSerializer extends Serializer<AppMessage> {
        private static final AppMessage.Kind[] KINDS = AppMessage.Kind.values();
        private final StringSerializer strings = new StringSerializer();
        private final ByteArraySerializer bytes = new ByteArraySerializer();

        AppMessageSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, AppMessage message) {
            output.writeVarInt(message.kind().ordinal(), true);
            output.writeVarLong(message.correlation(), true);
            strings.write(kryo, output, message.action());
            bytes.write(kryo, output, message.payload());
        }

        @Override
        public AppMessage read(Kryo kryo, Input input, Class<? extends AppMessage> type) {
            int kind = input.readVarInt(true);
            if (kind >= KINDS.length) {
                throw new KryoException("unknown application message kind " + kind);
            }
            long correlation = input.readVarLong(true);
            return new AppMessage(KINDS[kind], strings.read(kryo, input, String.class),
                    bytes.read(kryo, input, byte[].class), correlation);
        }
    }
}
