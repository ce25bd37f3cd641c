package dev.clutch.core.message;

/** The master tells a sender that its message reached no one, and why. */
public record Undelivered(String action, long correlation, String reason) {

    /** Why the message failed, as its sender reports it. */
    public String failure() {
        return failure(action, reason);
    }

    /** Why a message for {@code action} reached no one. */
    public static String failure(String action, String reason) {
        return "'" + action + "' could not be delivered: " + reason;
    }
}
