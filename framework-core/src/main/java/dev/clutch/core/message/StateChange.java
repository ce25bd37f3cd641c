package dev.clutch.core.message;

/**
 * One change of the shared state (agent to master, master to workers): for each key its serialized new value, or
 * {@code null} where the key was removed. Versions count up by one per change.
 */
public record StateChange(long version, String[] keys, byte[][] values) {
}
