package dev.clutch.core.message;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import dev.clutch.core.api.PayloadType;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Serializes the application's message payloads: its registered types under their fixed IDs, plus strings,
 * primitives and the JDK's collections and value types ({@link JdkPayloadTypes}). Registration is required, so
 * nothing else is ever instantiated; the same types, of the same shape, in every process are checked at hello through
 * {@link #describe()}.
 */
public final class PayloadCodec {

    /** How Kryo words a class it meets unregistered. */
    private static final String NOT_REGISTERED = "Class is not registered: ";

    private final Map<Integer, Class<?>> types;
    private final int maxBytes;
    private final Pool<Kryo> kryos = new Pool<>(true, false, 16) {
        @Override
        protected Kryo create() {
            Kryo kryo = new Kryo();
            kryo.setRegistrationRequired(true);
            kryo.setReferences(false);
            kryo.setMaxDepth(64);
            kryo.register(String.class, new BoundedSerializers.StringSerializer());
            // The framework's own payloads, below the application's range.
            kryo.register(ScheduleRun.class, 900);
            kryo.register(ScheduleResult.class, 901);
            JdkPayloadTypes.register(kryo);
            types.forEach((id, type) -> kryo.register(type, id));
            return kryo;
        }
    };

    private PayloadCodec(Map<Integer, Class<?>> types, int maxBytes) {
        this.types = types;
        this.maxBytes = maxBytes;
    }

    /**
     * @throws IllegalArgumentException naming the type whose ID is below 1000 or given twice
     */
    public static PayloadCodec of(List<PayloadType> declared, int maxBytes) {
        Map<Integer, Class<?>> types = new TreeMap<>();
        for (PayloadType type : declared) {
            if (type.id() < MessageRegistry.FIRST_APPLICATION_ID) {
                throw new IllegalArgumentException("payload type " + type.type().getName() + " has ID " + type.id()
                        + ": application IDs start at " + MessageRegistry.FIRST_APPLICATION_ID);
            }
            requireCreatable(type);
            Class<?> previous = types.put(type.id(), type.type());
            if (previous != null) {
                throw new IllegalArgumentException("payload ID " + type.id() + " is given to both "
                        + previous.getName() + " and " + type.type().getName());
            }
            types.forEach((otherId, other) -> {
                if (other == type.type() && otherId != type.id()) {
                    // Kryo would keep one of the two: processes could disagree on which without a word.
                    throw new IllegalArgumentException("payload type " + other.getName() + " is given two IDs, "
                            + otherId + " and " + type.id() + ": give it one");
                }
            });
        }
        return new PayloadCodec(Map.copyOf(types), maxBytes);
    }

    /**
     * Kryo creates what it reads through a constructor without arguments (a record through its canonical one): a
     * type without one would be sent without a word and fail in every receiver.
     */
    private static void requireCreatable(PayloadType declared) {
        Class<?> type = declared.type();
        if (type.isRecord() || type.isEnum() || type.isInterface() || type.isArray() || type.isPrimitive()
                || Modifier.isAbstract(type.getModifiers())) {
            return;
        }
        try {
            type.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("payload type " + type.getName() + " (ID " + declared.id() + ") has no "
                    + "constructor without arguments, which Kryo needs to create one when it reads it: add one (it "
                    + "may be private), or make it a record");
        }
    }

    /**
     * @throws IllegalArgumentException when the payload's type is not registered, or it is larger than
     *     {@code clutch.ipc.maxFrameBytes}, naming it and what to do
     */
    public byte[] write(Object payload) {
        Kryo kryo = kryos.obtain();
        try {
            Output output = new Output(256, maxBytes);
            kryo.writeClassAndObject(output, payload);
            return output.toBytes();
        } catch (KryoBufferOverflowException e) {
            throw new IllegalArgumentException("cannot send a " + payload.getClass().getName() + ": it is larger "
                    + "than clutch.ipc.maxFrameBytes (" + maxBytes + " bytes); send less, or raise the limit", e);
        } catch (IllegalArgumentException | KryoException e) {
            throw new IllegalArgumentException("cannot send a " + payload.getClass().getName() + ": "
                    + whatIsWrong(payload, e), e);
        } finally {
            kryos.free(kryo);
        }
    }

    /** Names the class Kryo found unregistered, the payload's own or one inside it, and what to do about it. */
    private static String whatIsWrong(Object payload, RuntimeException failure) {
        String unregistered = null;
        for (Throwable cause = failure; cause != null && unregistered == null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            int at = message.indexOf(NOT_REGISTERED);
            if (at >= 0) {
                unregistered = message.substring(at + NOT_REGISTERED.length()).split("\\s", 2)[0];
            }
        }
        if (unregistered == null) {
            return "it cannot be serialized: " + failure.getMessage();
        }
        String what = unregistered.equals(payload.getClass().getName()) ? "it is not a registered payload type"
                : "it holds a " + unregistered + ", which is not a registered payload type";
        if (unregistered.startsWith("java.") && unregistered.contains("$")) {
            // A JDK class of its own (a synchronized or checked view, say): it cannot be named, but copied.
            return what + "; copy it into an ArrayList, HashSet or HashMap (or List.copyOf, Set.copyOf, Map.copyOf)";
        }
        return what + "; add PayloadType.of(<id >= 1000>, " + unregistered.substring(unregistered.lastIndexOf('.') + 1)
                .replace('$', '.') + ".class) to your application's payloadTypes()";
    }

    public Object read(byte[] bytes) {
        Kryo kryo = kryos.obtain();
        try {
            return kryo.readClassAndObject(new Input(bytes));
        } finally {
            kryos.free(kryo);
        }
    }

    /**
     * Every registered type as {@code id=class} and the shape Kryo writes it in ({@link WireShape}), sorted: what
     * processes compare at hello. A type whose fields changed between two builds differs here as one with another
     * name does.
     */
    public String[] describe() {
        Kryo kryo = kryos.obtain();
        try {
            return new TreeMap<>(types).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().getName()
                    + WireShape.of(e.getValue(), kryo.getSerializer(e.getValue()))).toArray(String[]::new);
        } finally {
            kryos.free(kryo);
        }
    }

    public String digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String entry : describe()) {
                sha.update((entry + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
