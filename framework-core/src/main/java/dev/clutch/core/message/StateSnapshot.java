package dev.clutch.core.message;

/**
 * The whole shared state at {@code version}: what a joining worker gets first, or one that lost track.
 *
 * @param keyVersions for each key, the version of the change that last set it
 */
public record StateSnapshot(long version, String[] keys, byte[][] values, long[] keyVersions) {
}
