package dev.clutch.core.message;

/** The whole shared state at {@code version}: what a joining worker gets first, or one that lost track. */
public record StateSnapshot(long version, String[] keys, byte[][] values) {
}
