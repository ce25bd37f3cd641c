package dev.clutch.core.message;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.clutch.core.api.Messenger.MessageFailedException;
import dev.clutch.core.api.Messenger.MessageFailedException.Reason;

/**
 * The master's answer to a {@link ControlRequest}.
 *
 * @param text for people
 * @param json for tools ({@code status --json}), or empty
 */
public record ControlReply(boolean ok, String text, String json) {

    private static final String REASON = "reason";

    /** An application message sent through the control socket failed: the reason goes beside the text. */
    public static ControlReply messageFailed(Reason reason, String text) {
        return new ControlReply(false, text, "{\"" + REASON + "\":\"" + reason.name() + "\"}");
    }

    /** The failure of the message this reply is about, with the reason the master gave. */
    public MessageFailedException messageFailure() {
        Reason reason = Reason.UNDELIVERABLE;
        try {
            reason = Reason.valueOf(ConfigFactory.parseString(json).getString(REASON));
        } catch (ConfigException | IllegalArgumentException e) {
            // A master of another version, or a command the master refused before it sent anything.
        }
        return new MessageFailedException(reason, text);
    }
}
