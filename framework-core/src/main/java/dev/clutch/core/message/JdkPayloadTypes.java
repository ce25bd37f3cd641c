package dev.clutch.core.message;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.serializers.TimeSerializers;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * The JDK types an application's payloads may hold without registering them: lists, sets and maps, among them the
 * JDK's own implementations, which an application cannot name ({@code List.of}, {@code Collections.unmodifiableMap},
 * {@code Stream.toList}), and the common value types (time, UUID). Each has a fixed ID below the application's
 * range. Collections are read through serializers that check a declared size against the bytes left, as strings
 * are, and come back as the same kind: modifiable as {@link ArrayList}, {@link HashSet}, {@link HashMap} (or the
 * linked or same class sent), unmodifiable as unmodifiable views.
 */
final class JdkPayloadTypes {

    static final int FIRST_ID = 910;
    /** Collections grow as their elements are read, from at most this: memory follows the bytes that came. */
    private static final int INITIAL_CAPACITY = 16;

    private JdkPayloadTypes() {
    }

    static void register(Kryo kryo) {
        Registrar types = new Registrar(kryo);
        types.add(ArrayList.class, new CollectionSerializer(ArrayList::new, c -> c));
        types.add(LinkedList.class, new CollectionSerializer(n -> new LinkedList<>(), c -> c));
        types.add(Arrays.asList(1).getClass(), new CollectionSerializer(ArrayList::new, c -> c));
        CollectionSerializer unmodifiableList = new CollectionSerializer(ArrayList::new,
                c -> Collections.unmodifiableList((List<Object>) c));
        types.add(List.of(1).getClass(), unmodifiableList);
        types.add(List.of(1, 2, 3).getClass(), unmodifiableList);
        types.add(Collections.unmodifiableList(new ArrayList<>()).getClass(), unmodifiableList);
        types.add(Collections.unmodifiableList(new LinkedList<>()).getClass(), unmodifiableList);
        types.add(Collections.emptyList().getClass(), unmodifiableList);
        types.add(Collections.singletonList(1).getClass(), unmodifiableList);

        types.add(HashSet.class, new CollectionSerializer(HashSet::new, c -> c));
        types.add(LinkedHashSet.class, new CollectionSerializer(LinkedHashSet::new, c -> c));
        CollectionSerializer unmodifiableSet = new CollectionSerializer(LinkedHashSet::new,
                c -> Collections.unmodifiableSet((Set<Object>) c));
        types.add(Set.of(1).getClass(), unmodifiableSet);
        types.add(Set.of(1, 2, 3).getClass(), unmodifiableSet);
        types.add(Collections.unmodifiableSet(new HashSet<>()).getClass(), unmodifiableSet);
        types.add(Collections.emptySet().getClass(), unmodifiableSet);
        types.add(Collections.singleton(1).getClass(), unmodifiableSet);

        types.add(HashMap.class, new MapSerializer(HashMap::new, m -> m));
        types.add(LinkedHashMap.class, new MapSerializer(LinkedHashMap::new, m -> m));
        MapSerializer unmodifiableMap = new MapSerializer(LinkedHashMap::new, Collections::unmodifiableMap);
        types.add(Map.of(1, 1).getClass(), unmodifiableMap);
        types.add(Map.of(1, 1, 2, 2).getClass(), unmodifiableMap);
        types.add(Collections.unmodifiableMap(new HashMap<>()).getClass(), unmodifiableMap);
        types.add(Collections.emptyMap().getClass(), unmodifiableMap);
        types.add(Collections.singletonMap(1, 1).getClass(), unmodifiableMap);

        // Fixed-size values: Kryo's own serializers for them allocate nothing a frame declares.
        types.add(Instant.class, new TimeSerializers.InstantSerializer());
        types.add(Duration.class, new TimeSerializers.DurationSerializer());
        types.add(LocalDate.class, new TimeSerializers.LocalDateSerializer());
        types.add(LocalTime.class, new TimeSerializers.LocalTimeSerializer());
        types.add(LocalDateTime.class, new TimeSerializers.LocalDateTimeSerializer());
        types.add(OffsetDateTime.class, new TimeSerializers.OffsetDateTimeSerializer());
        types.add(UUID.class, new DefaultSerializers.UUIDSerializer());
    }

    /** A collection is never written as null (Kryo writes a null payload as no class at all). */
    private static int requireSize(int size) {
        if (size < 0) {
            throw new KryoException("a collection claims to be null");
        }
        return size;
    }

    /** Gives each type the next ID; a class met twice (one JDK class behind two factories) keeps its first. */
    private static final class Registrar {
        private final Kryo kryo;
        private int nextId = FIRST_ID;

        Registrar(Kryo kryo) {
            this.kryo = kryo;
        }

        void add(Class<?> type, Serializer<?> serializer) {
            int id = nextId++;
            if (kryo.getClassResolver().getRegistration(type) != null) {
                return;
            }
            kryo.register(type, serializer, id);
        }
    }

    /** A list or set: its size, then each element with its class. */
    private static final class CollectionSerializer extends Serializer<Collection<Object>> {
        private final IntFunction<Collection<Object>> create;
        private final UnaryOperator<Collection<Object>> finish;

        CollectionSerializer(IntFunction<Collection<Object>> create, UnaryOperator<Collection<Object>> finish) {
            this.create = create;
            this.finish = finish;
        }

        @Override
        public void write(Kryo kryo, Output output, Collection<Object> collection) {
            BoundedSerializers.writeLength(output, collection, collection.size());
            for (Object element : collection) {
                kryo.writeClassAndObject(output, element);
            }
        }

        @Override
        public Collection<Object> read(Kryo kryo, Input input, Class<? extends Collection<Object>> type) {
            // Every element takes at least a byte: its class.
            int size = requireSize(BoundedSerializers.readLength(input, 1, "collection"));
            // Not sized by the claim: nested collections each claiming the whole frame would multiply it.
            Collection<Object> collection = create.apply(Math.min(size, INITIAL_CAPACITY));
            for (int i = 0; i < size; i++) {
                collection.add(kryo.readClassAndObject(input));
            }
            return finish.apply(collection);
        }
    }

    /** A map: its size, then each key and value with their classes. */
    private static final class MapSerializer extends Serializer<Map<Object, Object>> {
        private final IntFunction<Map<Object, Object>> create;
        private final UnaryOperator<Map<Object, Object>> finish;

        MapSerializer(IntFunction<Map<Object, Object>> create, UnaryOperator<Map<Object, Object>> finish) {
            this.create = create;
            this.finish = finish;
        }

        @Override
        public void write(Kryo kryo, Output output, Map<Object, Object> map) {
            BoundedSerializers.writeLength(output, map, map.size());
            for (Map.Entry<Object, Object> entry : map.entrySet()) {
                kryo.writeClassAndObject(output, entry.getKey());
                kryo.writeClassAndObject(output, entry.getValue());
            }
        }

        @Override
        public Map<Object, Object> read(Kryo kryo, Input input, Class<? extends Map<Object, Object>> type) {
            int size = requireSize(BoundedSerializers.readLength(input, 2, "map"));
            Map<Object, Object> map = create.apply(Math.min(size, INITIAL_CAPACITY));
            for (int i = 0; i < size; i++) {
                map.put(kryo.readClassAndObject(input), kryo.readClassAndObject(input));
            }
            return finish.apply(map);
        }
    }
}
