package dev.clutch.core.master;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.clutch.core.api.Messenger.MessageFailedException.Reason;
import dev.clutch.core.api.Role;
import dev.clutch.core.message.AppMessage;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.Sender;
import dev.clutch.core.message.Unanswered;
import dev.clutch.core.message.Undelivered;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Application messages sent from the control socket (the test kit's messenger for a multi-process cluster): the
 * master sends them as itself, and answers the control request with the reply, or with why it was not delivered.
 * Touched by the master's thread only; a send's outcome is answered on the IPC thread.
 */
final class ControlMessages {

    private record Pending(Consumer<ControlReply> reply, long deadlineNanos, String action, Duration timeout) {
    }

    private final Sender master = new Sender(Role.MASTER, 0, ProcessHandle.current().pid());
    private final Map<Long, Pending> pending = new HashMap<>();
    private long correlations;

    /**
     * Sends one message and answers {@code reply}: a request when the receiver replied, a send once it is on its way.
     *
     * @param target {@code agent}, {@code workers}, {@code random}, {@code everyone} or {@code pid:<n>}
     */
    void send(BiConsumer<Envelope, Consumer<String>> route, String target, String action, boolean request, byte[] payload,
              Duration timeout, long nowNanos, Consumer<ControlReply> reply) {
        Destination to = destination(target);
        if (to == null) {
            reply.accept(failed(Reason.UNDELIVERABLE,
                    "unknown target '" + target + "': agent, workers, random, everyone or pid:<n>"));
            return;
        }
        if (request && (to.kind() == Destination.Kind.WORKERS || to.kind() == Destination.Kind.EVERYONE)) {
            reply.accept(failed(Reason.UNDELIVERABLE,
                    "a request goes to one process: agent, random or pid:<n>, not " + target));
            return;
        }
        long correlation = ++correlations;
        AppMessage message = new AppMessage(request ? AppMessage.Kind.REQUEST : AppMessage.Kind.SEND, action,
                payload, request ? correlation : 0);
        if (request) {
            pending.put(correlation, new Pending(reply, nowNanos + timeout.toNanos(), action, timeout));
        }
        // A request's failure comes back as an undeliverable notice, matched by its correlation.
        route.accept(new Envelope(master, to, message), undelivered -> {
            if (!request) {
                reply.accept(undelivered == null ? ok("sent", "")
                        : failed(Reason.UNDELIVERABLE, Undelivered.failure(action, undelivered)));
            }
        });
    }

    /** A reply to, or an undeliverable notice about, one of these messages. */
    void received(Envelope envelope) {
        if (envelope.body() instanceof Undelivered notice) {
            Pending waiting = pending.remove(notice.correlation());
            if (waiting != null) {
                waiting.reply().accept(failed(Reason.UNDELIVERABLE, notice.failure()));
            }
        } else if (envelope.body() instanceof Unanswered notice) {
            Pending waiting = pending.remove(notice.correlation());
            if (waiting != null) {
                waiting.reply().accept(failed(Reason.RECEIVER_EXITED, notice.failure(waiting.action())));
            }
        } else if (envelope.body() instanceof AppMessage message) {
            Pending waiting = pending.remove(message.correlation());
            if (waiting == null) {
                return;
            }
            if (message.kind() == AppMessage.Kind.REPLY) {
                String json = ConfigValueFactory.fromMap(Map.of("payload",
                        Base64.getEncoder().encodeToString(message.payload()))).render(ConfigRenderOptions.concise());
                waiting.reply().accept(ok("replied", json));
            } else {
                waiting.reply().accept(failed(Reason.HANDLER_FAILED,
                        new String(message.payload(), java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
    }

    /** Fails the requests whose time is up. */
    void expire(long nowNanos) {
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending waiting = it.next();
            if (nowNanos - waiting.deadlineNanos() > 0) {
                it.remove();
                waiting.reply().accept(failed(Reason.TIMED_OUT,
                        AppMessage.noReplyWithin(waiting.action(), waiting.timeout())));
            }
        }
    }

    /** The master stopped: every request still waiting for its reply gets an answer that says so. */
    void failAll(String why) {
        pending.values().forEach(waiting -> waiting.reply().accept(failed(Reason.RECEIVER_EXITED,
                "'" + waiting.action() + "': " + why)));
        pending.clear();
    }

    private static Destination destination(String target) {
        return switch (target) {
            case "agent" -> Destination.AGENT;
            case "workers" -> Destination.WORKERS;
            case "random" -> Destination.RANDOM_WORKER;
            case "everyone" -> Destination.EVERYONE;
            // A pid no process can have (pid:0) names no target.
            default -> target.matches("pid:0*[1-9]\\d{0,9}")
                    ? Destination.process(Long.parseLong(target.substring(4))) : null;
        };
    }

    private static ControlReply ok(String text, String json) {
        return new ControlReply(true, text, json);
    }

    private static ControlReply failed(Reason reason, String text) {
        return ControlReply.messageFailed(reason, text);
    }
}
