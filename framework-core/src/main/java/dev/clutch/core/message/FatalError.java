package dev.clutch.core.message;

/**
 * A worker tells the master it hit a {@link Error} (out of memory, stack overflow, …) and must be replaced: the
 * master forks the replacement first, then drains this worker.
 */
public record FatalError(String error) {
}
