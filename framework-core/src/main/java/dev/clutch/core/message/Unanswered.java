package dev.clutch.core.message;

/**
 * The master tells a requester that the process its request was delivered to exited without answering, so the
 * request fails now instead of at its timeout.
 */
public record Unanswered(long correlation, String reason) {
}
