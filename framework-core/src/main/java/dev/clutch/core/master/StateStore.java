package dev.clutch.core.master;

import dev.clutch.core.message.StateChange;
import dev.clutch.core.message.StateSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The master's copy of the shared state, as serialized values: what every joining worker gets first, and what
 * workers keep getting from it after the agent died. Changed on the master's IPC thread; read from
 * any.
 */
public final class StateStore {

    private final Map<String, byte[]> values = new LinkedHashMap<>();
    private final Map<String, Long> keyVersions = new LinkedHashMap<>();
    private long version;

    public StateStore() {
        this(0);
    }

    /** An empty state whose next change is {@code version + 1}: a replacement agent's, numbered on. */
    public StateStore(long version) {
        this.version = version;
    }

    /** Applies a change from the agent; false (and nothing applied) if it is not the next version. */
    public synchronized boolean apply(StateChange change) {
        if (change.version() != version + 1 || change.keys() == null || change.values() == null
                || change.keys().length != change.values().length) {
            return false;
        }
        for (int i = 0; i < change.keys().length; i++) {
            if (change.values()[i] == null) {
                values.remove(change.keys()[i]);
                keyVersions.remove(change.keys()[i]);
            } else {
                values.put(change.keys()[i], change.values()[i]);
                keyVersions.put(change.keys()[i], change.version());
            }
        }
        version = change.version();
        return true;
    }

    public synchronized StateSnapshot snapshot() {
        return new StateSnapshot(version, values.keySet().toArray(String[]::new),
                values.values().toArray(byte[][]::new),
                keyVersions.values().stream().mapToLong(Long::longValue).toArray());
    }

    public synchronized long version() {
        return version;
    }
}
