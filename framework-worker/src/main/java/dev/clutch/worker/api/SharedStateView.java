package dev.clutch.worker.api;

import java.util.Map;
import java.util.Optional;

/**
 * The state the agent publishes, as this worker sees it: the whole snapshot before the application's modules, hooks
 * and routes run in the worker (their constructors can read it), then every change in order. When the agent dies the
 * worker keeps the last state it had. Inject it.
 */
public interface SharedStateView {

    /**
     * The value of {@code key}, if there is one: the same instance for every caller in this worker, so treat it
     * as read-only (a list or map arrives modifiable if it was sent so).
     */
    <T> Optional<T> get(String key);

    /** Every key and value at this moment. */
    Map<String, Object> snapshot();

    /** The version of the state this worker has; each change of the agent's counts one. */
    long version();

    /** The version of the change that last set {@code key}; 0 when it is not set. The same on every worker. */
    long versionOf(String key);

    /**
     * Called for every change after this call, in order, on a thread of its own. What was there before is
     * {@link #snapshot()}: read it when registering, as a listener is not called for it. Listeners that fall far
     * behind (10,000 changes) do not make changes pile up without bound: the changes waiting for them are then merged
     * per key, each key told once from the value they last heard of to the newest (and not at all if it came back to
     * that value).
     */
    void onChange(ChangeListener listener);

    /**
     * Called for changes of keys that start with {@code prefix} ({@code ""} for every key), as
     * {@link #onChange(ChangeListener)}.
     *
     * @throws NullPointerException when {@code prefix} or {@code listener} is null
     */
    void onChange(String prefix, ChangeListener listener);

    /** One key's change. */
    record Change(String key, Object oldValue, Object newValue, long version) {
        /** Whether the change removed the key ({@code newValue} is then {@code null}). */
        public boolean removed() {
            return newValue == null;
        }
    }

    /** Hears the changes of the state. */
    @FunctionalInterface
    interface ChangeListener {
        /** Called once per change, in version order; an exception is logged and the next change still comes. */
        void changed(Change change) throws Exception;
    }
}
