package dev.clutch.core.message;

/** The master tells a sender that its message reached no one, and why. */
public record Undelivered(String action, long correlation, String reason) {
}
