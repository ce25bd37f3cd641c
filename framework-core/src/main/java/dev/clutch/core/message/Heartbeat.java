package dev.clutch.core.message;

/**
 * A worker tells the master its event loops are turning; a worker silent for {@code clutch.worker.timeout} hangs.
 *
 * @param requests requests this worker has served so far
 */
public record Heartbeat(long requests) {
}
