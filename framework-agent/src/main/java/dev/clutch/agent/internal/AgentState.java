package dev.clutch.agent.internal;

import dev.clutch.agent.api.SharedState;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.message.StateChange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the shared state: numbers each change and sends it to the master, which keeps the state. A
 * change that cannot reach every worker is refused here, before anything moves: a worker that joins gets the
 * whole state as one message, so the whole state must fit in {@code clutch.ipc.maxFrameBytes}.
 *
 * <p>While the master does not keep up with the agent (it stops reading from the agent while a worker is behind),
 * changes are merged, each key keeping its latest value, and go out as one change once the master reads again: a
 * source that publishes faster than the workers take it costs at most one state's worth of memory, not a queue
 * that grows with every change.
 */
final class AgentState implements SharedState {

    private static final Logger log = LoggerFactory.getLogger(AgentState.class);
    /** How often merged changes try to go out while the master does not keep up. */
    private static final long RETRY_MILLIS = 10;

    /** What a snapshot adds to its keys and values: the envelope, and a length and type per entry, at most. */
    private static final int SNAPSHOT_OVERHEAD_BYTES = 256;
    private static final int ENTRY_OVERHEAD_BYTES = 16;

    private final PayloadCodec codec;
    private final Consumer<Object> toMaster;
    private final BooleanSupplier masterKeepsUp;
    private final long maxStateBytes;
    /** Changes not sent yet, merged: each key's latest serialized value, {@code null} where it was removed. */
    private final Map<String, byte[]> unsent = new LinkedHashMap<>();
    private boolean retryPlanned;
    /** Each key's share of a snapshot, and their sum: what the next joining worker will be sent. */
    private final Map<String, Long> entryBytes = new HashMap<>();
    private long stateBytes = SNAPSHOT_OVERHEAD_BYTES;
    private long version;

    /**
     * @param toMaster sends, or throws when the message cannot be sent
     * @param masterKeepsUp whether a message to the master goes out now, not behind others still waiting
     */
    AgentState(PayloadCodec codec, Consumer<Object> toMaster, BooleanSupplier masterKeepsUp, int maxFrameBytes) {
        this.codec = codec;
        this.toMaster = toMaster;
        this.masterKeepsUp = masterKeepsUp;
        this.maxStateBytes = maxFrameBytes;
    }

    @Override
    public void put(String key, Object value) {
        // Map.of would refuse a null with a bare NullPointerException.
        update(Collections.singletonMap(key, value), Set.of());
    }

    @Override
    public void remove(String key) {
        update(Map.of(), Collections.singleton(key));
    }

    @Override
    public void putAll(Map<String, ?> values) {
        update(values, Set.of());
    }

    @Override
    public synchronized void update(Map<String, ?> puts, Set<String> removals) {
        // Not containsKey(null): immutable maps and sets throw on it.
        if (puts.keySet().stream().anyMatch(Objects::isNull) || removals.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("a shared state key is null");
        }
        List<String> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        Map<String, Long> sizes = new HashMap<>();
        puts.forEach((key, value) -> {
            if (value == null) {
                throw new IllegalArgumentException("shared state value of " + key + " is null: use remove");
            }
            byte[] bytes = codec.write(value);
            keys.add(key);
            values.add(bytes);
            sizes.put(key, entryBytes(key, bytes));
        });
        for (String key : removals) {
            keys.add(key);
            values.add(null);
            sizes.put(key, 0L);
        }
        if (keys.isEmpty()) {
            return;
        }
        long after = stateBytes;
        for (Map.Entry<String, Long> size : sizes.entrySet()) {
            after += size.getValue() - entryBytes.getOrDefault(size.getKey(), 0L);
        }
        if (after > maxStateBytes && after > stateBytes) {
            throw new IllegalArgumentException("shared state change of " + describe(puts.keySet()) + " refused: the "
                    + "state would take " + after + " bytes, over clutch.ipc.maxFrameBytes (" + maxStateBytes
                    + " bytes), and a worker that joins gets the whole state as one message. Keep less in the "
                    + "shared state, or raise clutch.ipc.maxFrameBytes");
        }
        if (unsent.isEmpty() && masterKeepsUp.getAsBoolean()) {
            // Sent before anything moves: a change that cannot be sent leaves version and state as they were.
            send(keys, values);
        } else {
            for (int i = 0; i < keys.size(); i++) {
                unsent.put(keys.get(i), values.get(i));
            }
            retryLater();
        }
        sizes.forEach((key, size) -> {
            if (size == 0) {
                entryBytes.remove(key);
            } else {
                entryBytes.put(key, size);
            }
        });
        stateBytes = after;
    }

    private void send(List<String> keys, List<byte[]> values) {
        toMaster.accept(new StateChange(version + 1, keys.toArray(String[]::new), values.toArray(byte[][]::new)));
        version++;
    }

    private void retryLater() {
        if (!retryPlanned) {
            retryPlanned = true;
            // Run on the JDK's delay thread itself, not the common pool, which the application's own tasks may
            // hold: that would stop the state for every worker. Sending the merged change is short.
            CompletableFuture.delayedExecutor(RETRY_MILLIS, TimeUnit.MILLISECONDS, Runnable::run)
                    .execute(this::sendUnsent);
        }
    }

    /** The merged changes, as one, once the master keeps up again. */
    private synchronized void sendUnsent() {
        retryPlanned = false;
        if (unsent.isEmpty()) {
            return;
        }
        if (!masterKeepsUp.getAsBoolean()) {
            retryLater();
            return;
        }
        try {
            send(new ArrayList<>(unsent.keySet()), new ArrayList<>(unsent.values()));
        } catch (RuntimeException e) {
            // The connection to the master is gone (the agent stops then), or the merged change is over the frame
            // limit: its keys' next changes go out as usual.
            log.error("shared state: {} changed keys could not be sent to the master: {}", unsent.size(),
                    e.toString());
        }
        unsent.clear();
    }

    private static long entryBytes(String key, byte[] value) {
        return key.getBytes(StandardCharsets.UTF_8).length + value.length + ENTRY_OVERHEAD_BYTES;
    }

    private static String describe(Set<String> keys) {
        List<String> some = keys.stream().sorted().limit(5).toList();
        return some + (keys.size() > some.size() ? " and " + (keys.size() - some.size()) + " more" : "");
    }
}
