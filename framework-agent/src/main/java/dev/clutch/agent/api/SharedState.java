package dev.clutch.agent.api;

import java.util.Map;
import java.util.Set;

/**
 * The state the agent publishes to every worker. Values are what a message's payload may hold: strings, primitives,
 * the JDK's lists, sets, maps and time types, {@code UUID}, and the application's registered payload types. Every change counts one version; workers get changes in order, and a joining worker gets the
 * whole state first. Inject it in the agent.
 *
 * <p>Changes never wait for the cluster: while the master is not reading from the agent (a receiver of its messages
 * is behind), they are merged per key, and go out as one change (one version) once it reads again.
 */
public interface SharedState {

    /**
     * Sets {@code key} to {@code value}, as one change (one version).
     *
     * @throws IllegalArgumentException when the key or value is null (remove a key with {@link #remove}), the value's
     *     type is not registered, or the whole state would no longer fit in {@code clutch.ipc.maxFrameBytes};
     *     nothing changes then
     */
    void put(String key, Object value);

    /** Removes {@code key}, as one change (one version): listeners hear a change whose new value is null. */
    void remove(String key);

    /** Puts every entry as one change (one version). */
    void putAll(Map<String, ?> values);

    /** Puts and removes as one change (one version): what a source that re-read its file publishes. */
    void update(Map<String, ?> puts, Set<String> removals);
}
