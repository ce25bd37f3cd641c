package dev.clutch.core.message;

/**
 * An application message on the wire. The payload is already serialized by the sender with the application's
 * registered types, so the master routes it without ever instantiating an application class.
 *
 * @param correlation the request's id, for {@link Kind#REQUEST} and its replies; 0 otherwise
 */
public record AppMessage(Kind kind, String action, byte[] payload, long correlation) {

    public enum Kind {
        SEND,
        REQUEST,
        REPLY,
        /** The handler of a request threw; the payload is the error text, UTF-8. */
        REPLY_FAILED
    }

    /** Why a request for {@code action} failed when its timeout ran out, as every requester words it. */
    public static String noReplyWithin(String action, java.time.Duration timeout) {
        return "no reply to '" + action + "' within " + timeout.toMillis() + " ms";
    }
}
