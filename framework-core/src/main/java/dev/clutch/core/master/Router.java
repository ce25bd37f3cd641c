package dev.clutch.core.master;

import dev.clutch.core.api.Role;
import dev.clutch.core.message.AppMessage;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.Undelivered;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a message from one child goes: the one routing decision of the cluster. Every message between processes
 * passes here, its sender already stamped. A message for a process that is still starting is held until it is
 * ready; one that reaches no one is reported back to its sender, never dropped silently.
 */
final class Router {

    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final ProcessTable table;
    private final long masterPid = ProcessHandle.current().pid();
    /** Replies and undeliverable notices for messages the master sent itself (for the control socket). */
    private final Consumer<Envelope> masterInbox;

    Router(ProcessTable table, Consumer<Envelope> masterInbox) {
        this.table = table;
        this.masterInbox = masterInbox;
    }

    void route(Envelope envelope) {
        Destination to = envelope.destination();
        if (to.kind() == Destination.Kind.PROCESS && to.pid() == masterPid) {
            if (envelope.body() instanceof AppMessage m && (m.kind() == AppMessage.Kind.REPLY
                    || m.kind() == AppMessage.Kind.REPLY_FAILED)) {
                masterInbox.accept(envelope);
            } else {
                undeliverable(envelope, "the master takes no application messages: send to the agent or a worker");
            }
            return;
        }
        if (to.kind() == Destination.Kind.PROCESS || to.kind() == Destination.Kind.AGENT) {
            Child target = to.kind() == Destination.Kind.AGENT ? table.agent().orElse(null)
                    : table.byPid(to.pid()).orElse(null);
            if (target == null) {
                undeliverable(envelope, to.kind() == Destination.Kind.AGENT ? "the agent is not running"
                        : "no process of this cluster has pid " + to.pid());
            } else if (target.phase() == Child.Phase.STARTING) {
                if (!target.hold(envelope)) {
                    undeliverable(envelope, target.describe() + " is still starting and already holds "
                            + Child.MAX_HELD + " messages");
                }
            } else {
                deliver(envelope, List.of(target));
            }
            return;
        }
        List<Child> targets = switch (to.kind()) {
            case WORKERS -> table.readyWorkers();
            case RANDOM_WORKER -> random(table.readyWorkers());
            case EVERYONE -> {
                List<Child> everyone = new ArrayList<>(table.agent().stream()
                        .filter(a -> a.phase() == Child.Phase.READY).toList());
                everyone.addAll(table.readyWorkers());
                yield everyone;
            }
            default -> List.of();
        };
        if (targets.isEmpty()) {
            undeliverable(envelope, "no ready " + (to.kind() == Destination.Kind.EVERYONE ? "process" : "worker"));
            return;
        }
        deliver(envelope, targets);
    }

    /** Delivers what a child was held while it started; called once it is ready. */
    void flushHeld(Child child) {
        List<Envelope> held = child.takeHeld();
        if (!held.isEmpty()) {
            deliver(held, child);
        }
    }

    private void deliver(List<Envelope> envelopes, Child target) {
        for (Envelope envelope : envelopes) {
            deliver(envelope, List.of(target));
        }
    }

    private void deliver(Envelope envelope, List<Child> targets) {
        for (Child target : targets) {
            if (target.messages() == null || !target.messages().isOpen()) {
                undeliverable(envelope, target.describe() + " is gone");
            } else if (!target.messages().isWritable()) {
                undeliverable(envelope, target.describe() + " is not keeping up: its pending messages passed "
                        + "clutch.ipc.maxPendingBytes");
            } else {
                target.messages().send(envelope);
            }
        }
    }

    /** Tells the sender; a reply that cannot be delivered has no one left to tell. */
    private void undeliverable(Envelope envelope, String reason) {
        String action = envelope.body() instanceof AppMessage m ? m.action()
                : envelope.body().getClass().getSimpleName();
        long correlation = envelope.body() instanceof AppMessage m && m.kind() == AppMessage.Kind.REQUEST
                ? m.correlation() : 0;
        boolean tellSender = !(envelope.body() instanceof AppMessage m) || m.kind() == AppMessage.Kind.SEND
                || m.kind() == AppMessage.Kind.REQUEST;
        if (tellSender && envelope.sender().role() == Role.MASTER) {
            masterInbox.accept(new Envelope(envelope.sender(), Destination.process(masterPid),
                    new Undelivered(action, correlation, reason)));
            return;
        }
        Child sender = table.byPid(envelope.sender().pid()).orElse(null);
        if (tellSender && sender != null && sender.messages() != null && sender.messages().isOpen()) {
            sender.messages().send(new Envelope(null, Destination.process(sender.pid()),
                    new Undelivered(action, correlation, reason)));
        } else {
            log.warn("IPC: '{}' from {} to {} reached no one: {}", action, envelope.sender().describe(),
                    envelope.destination(), reason);
        }
    }

    private static List<Child> random(List<Child> ready) {
        return ready.isEmpty() ? List.of() : List.of(ready.get(ThreadLocalRandom.current().nextInt(ready.size())));
    }
}
