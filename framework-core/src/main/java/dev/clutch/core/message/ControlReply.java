package dev.clutch.core.message;

/**
 * The master's answer to a {@link ControlRequest}.
 *
 * @param text for people
 * @param json for tools ({@code status --json}), or empty
 */
public record ControlReply(boolean ok, String text, String json) {
}
