package dev.clutch.core.message;

/** A worker tells the master its event loops are turning; a worker silent for {@code clutch.worker.timeout} hangs. */
public record Heartbeat() {
}
