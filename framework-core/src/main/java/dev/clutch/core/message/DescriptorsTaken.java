package dev.clutch.core.message;

/**
 * A worker tells the master how many connections handed to it ({@code rr} policy) it has taken so far, so the
 * master never has more than {@code clutch.cluster.handoffWindow} in flight to it.
 */
public record DescriptorsTaken(long total) {
}
