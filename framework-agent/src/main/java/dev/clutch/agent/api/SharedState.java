package dev.clutch.agent.api;

import java.util.Map;
import java.util.Set;

/**
 * The state the agent publishes to every worker. Values are strings, primitives or the application's registered
 * payload types. Every change counts one version; workers get changes in order, and a joining worker gets the
 * whole state first. Inject it in the agent.
 */
public interface SharedState {

    void put(String key, Object value);

    void remove(String key);

    /** Puts every entry as one change (one version). */
    void putAll(Map<String, ?> values);

    /** Puts and removes as one change (one version): what a source that re-read its file publishes. */
    void update(Map<String, ?> puts, Set<String> removals);
}
