package dev.clutch.core.message;

/**
 * The master tells a requester that the process its request was delivered to exited without answering, so the
 * request fails now instead of at its timeout.
 */
public record Unanswered(long correlation, String reason) {

    /** Why the request for {@code action} failed, as its requester reports it. */
    public String failure(String action) {
        return "'" + action + "' got no answer: " + reason;
    }
}
