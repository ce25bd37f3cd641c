package dev.clutch.core.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Output;
import dev.clutch.core.api.PayloadType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PayloadCodecTest {

    enum Level { LOW, HIGH }

    record Order(String id, List<String> tags, Map<String, Integer> counts, Set<String> flags, Instant at,
                 Duration within, UUID ref, List<Map<String, List<Integer>>> nested) {
    }

    record Leveled(Level level) {
    }

    record Anything(Object value) {
    }

    private final PayloadCodec codec = PayloadCodec.of(List.of(PayloadType.of(1001, Order.class),
            PayloadType.of(1002, Leveled.class), PayloadType.of(1003, Anything.class)), 1 << 20);

    /** A class Kryo writes field by field. */
    static final class Counter {
        int count;
        String name;
    }

    @Test
    void typesAreDescribedWithTheShapeKryoWritesSoThatABuildWithOtherFieldsIsTold() {
        PayloadCodec shapes = PayloadCodec.of(List.of(PayloadType.of(1001, Leveled.class),
                PayloadType.of(1002, Level.class), PayloadType.of(1003, Counter.class)), 1 << 20);

        assertArrayEquals(new String[] {
            "1001=" + Leveled.class.getName() + "(" + Level.class.getName() + " level)",
            "1002=" + Level.class.getName() + "{LOW,HIGH}",
            "1003=" + Counter.class.getName() + "[int count,java.lang.String name]"}, shapes.describe());
    }

    @Test
    void recordsWithTheJdksCollectionsAndValuesTravelWithoutRegisteringThem() {
        Order order = new Order("o-1", List.of("a", "b"), Map.of("x", 1, "y", 2), Set.of("f"),
                Instant.parse("2026-12-02T05:00:00Z"), Duration.ofSeconds(90), UUID.randomUUID(),
                List.of(Map.of("k", Stream.of(1, 2, 3).toList())));
        assertEquals(order, codec.read(codec.write(order)));
    }

    @Test
    void everyKindOfListSetAndMapComesBackEqualAndAsModifiableAsItWent() {
        ArrayList<Object> modifiable = new ArrayList<>(List.of(1, "two"));
        List<Object> unmodifiable = Collections.unmodifiableList(new ArrayList<>(List.of(3)));
        LinkedHashMap<String, Object> ordered = new LinkedHashMap<>(Map.of("z", 1));
        ordered.put("a", List.of());
        for (Object value : List.of(modifiable, unmodifiable, List.of(), List.of(1), Collections.emptyMap(),
                Collections.singletonList("s"), Set.of(1, 2, 3), new HashMap<>(Map.of(1, 2)), ordered,
                java.util.Arrays.asList(1, null))) {
            Object back = ((Anything) codec.read(codec.write(new Anything(value)))).value();
            assertEquals(value, back, value.getClass().getName());
        }
        List<?> list = (List<?>) ((Anything) codec.read(codec.write(new Anything(modifiable)))).value();
        assertEquals(ArrayList.class, list.getClass());
        List<?> view = (List<?>) ((Anything) codec.read(codec.write(new Anything(List.of(1))))).value();
        assertThrows(UnsupportedOperationException.class, () -> view.add(null));
        assertEquals(List.of("z", "a"), List.copyOf(((Map<?, ?>) ((Anything) codec.read(codec.write(
                new Anything(ordered)))).value()).keySet()), "a linked map keeps its order");
    }

    @Test
    void anUnregisteredTypeInsideAPayloadIsNamedWithWhatToDo() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> codec.write(new Leveled(Level.HIGH)));
        assertTrue(refused.getMessage().startsWith("cannot send a " + Leveled.class.getName() + ": it holds a "
                + Level.class.getName() + ", which is not a registered payload type; add PayloadType.of(<id >= "
                + "1000>, PayloadCodecTest.Level.class)"), refused.getMessage());
    }

    @Test
    void aJdkCollectionNoApplicationCanNameIsToBeCopied() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> codec.write(
                new Anything(Collections.synchronizedList(new ArrayList<>()))));
        assertTrue(refused.getMessage().endsWith("copy it into an ArrayList, HashSet or HashMap (or List.copyOf, "
                + "Set.copyOf, Map.copyOf)"), refused.getMessage());
    }

    @Test
    void aTypeGivenTwoIdsIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> PayloadCodec.of(
                List.of(PayloadType.of(1001, Order.class), PayloadType.of(1005, Order.class)), 1 << 20));
        assertEquals("payload type " + Order.class.getName() + " is given two IDs, 1001 and 1005: give it one",
                refused.getMessage());
    }

    /** Written field by field, but no constructor for Kryo to create one with when it reads it. */
    static final class OnlyWithArguments {
        final String name;

        OnlyWithArguments(String name) {
            this.name = name;
        }
    }

    /** A private constructor without arguments is enough. */
    static final class PrivatelyCreated {
        String name;

        private PrivatelyCreated() {
        }
    }

    @Test
    void aTypeKryoCannotCreateWhenItReadsOneIsRefusedWhenRegisteredNotWhenAMessageArrives() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> PayloadCodec.of(
                List.of(PayloadType.of(1001, OnlyWithArguments.class)), 1 << 20));
        assertEquals("payload type " + OnlyWithArguments.class.getName() + " (ID 1001) has no constructor without "
                + "arguments, which Kryo needs to create one when it reads it: add one (it may be private), or make "
                + "it a record", refused.getMessage());

        PayloadCodec privately = PayloadCodec.of(List.of(PayloadType.of(1001, PrivatelyCreated.class)), 1 << 20);
        PrivatelyCreated sent = new PrivatelyCreated();
        sent.name = "x";
        assertEquals("x", ((PrivatelyCreated) privately.read(privately.write(sent))).name);
    }

    @Test
    void aCollectionClaimingMoreElementsThanItsBytesIsRefusedBeforeAllocating() {
        Output forged = new Output(32);
        forged.writeVarInt(1003 + 2, true); // Anything, as Kryo writes a registered class: its ID + 2
        forged.writeVarInt(JdkPayloadTypes.FIRST_ID + 2, true); // its value: an ArrayList
        forged.writeVarInt(Integer.MAX_VALUE, true); // of 2^31 - 2 elements, in a few bytes
        KryoException refused = assertThrows(KryoException.class, () -> codec.read(forged.toBytes()));
        assertTrue(refused.getMessage().contains("collection claims length " + (Integer.MAX_VALUE - 1)),
                refused.getMessage());
    }

    @Test
    void nestedCollectionsEachClaimingTheWholeFrameAllocateOnlyWhatArrives() {
        // 60 lists inside each other, each claiming as many elements as the frame has bytes left: sized by their
        // claims they would take 60 times the frame (gigabytes for a large frame), before a single element.
        Output forged = new Output(1024);
        forged.writeVarInt(1003 + 2, true);
        int padding = 8 << 20;
        for (int depth = 0; depth < 60; depth++) {
            forged.writeVarInt(JdkPayloadTypes.FIRST_ID + 2, true);
            forged.writeVarInt(padding + 1, true);
        }
        byte[] frame = java.util.Arrays.copyOf(forged.toBytes(), forged.position() + padding);
        Runtime runtime = Runtime.getRuntime();
        long before = runtime.totalMemory() - runtime.freeMemory();
        assertThrows(RuntimeException.class, () -> PayloadCodec.of(List.of(PayloadType.of(1003, Anything.class)),
                frame.length).read(frame));
        long grew = runtime.totalMemory() - runtime.freeMemory() - before;
        assertTrue(grew < 256L << 20, "grew by " + (grew >> 20) + " MiB reading a " + (frame.length >> 20)
                + " MiB frame");
    }
}
