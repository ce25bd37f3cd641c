package dev.clutch.core.message;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import dev.clutch.core.api.Role;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every type that may cross the IPC wire, each with a fixed ID, the same in every process. Kryo runs with
 * registration required, so nothing else is ever instantiated from a frame; fixed IDs (rather than registration
 * order) make sure the bytes of one type are never read as another.
 *
 * <p>Framework IDs live below {@link #FIRST_APPLICATION_ID}.
 */
public final class MessageRegistry {

    /** The first ID an application may give its own payload types. */
    public static final int FIRST_APPLICATION_ID = 1000;

    /** Nesting deeper than this in one message is refused, so a crafted frame cannot overflow the stack. */
    private static final int MAX_DEPTH = 64;

    static {
        // Clutch reads and writes through Kryo's safe streams; without this Kryo still probes sun.misc.Unsafe,
        // which JDK 24+ warns about on every process start. Must run before Kryo's classes initialise.
        if (System.getProperty("kryo.unsafe") == null) {
            System.setProperty("kryo.unsafe", "false");
        }
    }

    private static final MessageRegistry FRAMEWORK = new MessageRegistry(frameworkTypes());

    private final Map<Integer, Entry> byId;
    private final String digest;

    private record Entry(Class<?> type, Serializer<?> serializer) {
    }

    private MessageRegistry(Map<Integer, Entry> byId) {
        this.byId = Map.copyOf(byId);
        this.digest = computeDigest(byId);
    }

    /** The registry of the framework's own messages. */
    public static MessageRegistry framework() {
        return FRAMEWORK;
    }

    private static Map<Integer, Entry> frameworkTypes() {
        Map<Integer, Entry> types = new TreeMap<>();
        // Kryo pre-registers the primitives and String at IDs 0-9; String is re-registered below, bounded.
        types.put(10, new Entry(long[].class, new BoundedSerializers.LongArraySerializer()));
        types.put(11, new Entry(byte[].class, new BoundedSerializers.ByteArraySerializer()));
        types.put(12, new Entry(String[].class, new BoundedSerializers.StringArraySerializer()));
        types.put(13, new Entry(byte[][].class, new BoundedSerializers.ByteArrayArraySerializer()));
        types.put(20, new Entry(Role.class, null));
        types.put(21, new Entry(Hello.ChannelKind.class, null));
        types.put(22, new Entry(Destination.Kind.class, null));
        types.put(30, new Entry(Hello.class, null));
        types.put(31, new Entry(Sender.class, null));
        types.put(32, new Entry(Destination.class, null));
        types.put(40, new Entry(ProcessReady.class, null));
        types.put(41, new Entry(ClusterReady.class, null));
        types.put(42, new Entry(StopRequest.class, null));
        types.put(43, new Entry(DescriptorsTaken.class, null));
        types.put(44, new Entry(AgentDown.class, null));
        types.put(45, new Entry(FatalError.class, null));
        types.put(46, new Entry(Heartbeat.class, null));
        types.put(47, new Entry(ReadyHooksDone.class, null));
        types.put(50, new Entry(ControlRequest.class, null));
        types.put(51, new Entry(ControlReply.class, null));
        types.put(60, new Entry(AppMessage.class, new BoundedSerializers.AppMessageSerializer()));
        types.put(61, new Entry(AppMessage.Kind.class, null));
        types.put(62, new Entry(Undelivered.class, null));
        types.put(63, new Entry(Unanswered.class, null));
        types.put(70, new Entry(StateChange.class, null));
        types.put(71, new Entry(StateSnapshot.class, null));
        types.put(72, new Entry(StateResync.class, null));
        return types;
    }

    /**
     * A new Kryo configured with every registered type. Kryo instances are not thread-safe: use one per channel or
     * per thread.
     */
    public Kryo newKryo() {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.setMaxDepth(MAX_DEPTH);
        kryo.register(String.class, new BoundedSerializers.StringSerializer());
        byId.forEach((id, entry) -> {
            if (entry.serializer() == null) {
                kryo.register(entry.type(), id);
            } else {
                kryo.register(entry.type(), entry.serializer(), id);
            }
        });
        return kryo;
    }

    /**
     * The first byte Kryo writes for an object of {@code type}: its ID plus 2, as a one-byte variable-length int.
     *
     * @throws IllegalArgumentException when the type is not registered with an ID below 62
     */
    public int kryoClassByte(Class<?> type) {
        return byId.entrySet().stream().filter(e -> e.getValue().type() == type).mapToInt(e -> e.getKey() + 2)
                .filter(b -> b < 64).findFirst().orElseThrow(() -> new IllegalArgumentException(type.getName()
                        + " has no registered ID below 62"));
    }

    /**
     * A digest of every registered type: its ID, its name, and the shape Kryo writes it in (a record's components in
     * order, an enum's constants). Equal digests mean two processes read each other's bytes alike; builds of
     * Clutch whose messages differ in any of these get different digests.
     */
    public String digest() {
        return digest;
    }

    /** The registered types by ID, for error messages that name what differs. */
    public List<String> describe() {
        return byId.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().type().getName())
                .sorted()
                .toList();
    }

    private static String computeDigest(Map<Integer, Entry> byId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(byId).forEach((id, entry) -> sha.update((id + "=" + entry.type().getName()
                    + WireShape.of(entry.type(), entry.serializer()) + "\n").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
