package dev.clutch.core.message;

/** A child tells the master it finished starting (the {@code agent-ready} / {@code worker-ready} of the handshake). */
public record ProcessReady() {
}
