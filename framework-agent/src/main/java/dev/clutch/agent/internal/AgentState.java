package dev.clutch.agent.internal;

import dev.clutch.agent.api.SharedState;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.message.StateChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** The agent's side of the shared state: numbers each change and sends it to the master, which keeps the state. */
final class AgentState implements SharedState {

    private final PayloadCodec codec;
    private final Consumer<Object> toMaster;
    private long version;

    AgentState(PayloadCodec codec, Consumer<Object> toMaster) {
        this.codec = codec;
        this.toMaster = toMaster;
    }

    @Override
    public void put(String key, Object value) {
        update(Map.of(key, value), Set.of());
    }

    @Override
    public void remove(String key) {
        update(Map.of(), Set.of(key));
    }

    @Override
    public void putAll(Map<String, ?> values) {
        update(values, Set.of());
    }

    @Override
    public synchronized void update(Map<String, ?> puts, Set<String> removals) {
        List<String> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        puts.forEach((key, value) -> {
            if (value == null) {
                throw new IllegalArgumentException("shared state value of " + key + " is null: use remove");
            }
            keys.add(key);
            values.add(codec.write(value));
        });
        for (String key : removals) {
            keys.add(key);
            values.add(null);
        }
        if (keys.isEmpty()) {
            return;
        }
        // Serialized first: a value that cannot be sent fails here, before the version moves.
        version++;
        toMaster.accept(new StateChange(version, keys.toArray(String[]::new), values.toArray(byte[][]::new)));
    }
}
