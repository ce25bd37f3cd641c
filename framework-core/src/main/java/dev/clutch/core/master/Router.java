package dev.clutch.core.master;

import dev.clutch.core.message.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a message from one child goes. The one routing decision of the cluster: every message between processes
 * passes here, its sender already stamped by the master.
 */
final class Router {

    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final ProcessTable table;

    Router(ProcessTable table) {
        this.table = table;
    }

    void route(Envelope envelope) {
        List<Child> targets = switch (envelope.destination().kind()) {
            case AGENT -> table.agent().stream().toList();
            case WORKERS -> table.readyWorkers();
            case RANDOM_WORKER -> random(table.readyWorkers());
            case PROCESS -> table.byPid(envelope.destination().pid()).stream().toList();
            case EVERYONE -> {
                List<Child> everyone = new ArrayList<>(table.agent().stream().toList());
                everyone.addAll(table.readyWorkers());
                yield everyone;
            }
            case MASTER -> List.of();
        };
        if (targets.isEmpty()) {
            log.warn("IPC: {} from {} to {} has no receiver", envelope.body().getClass().getSimpleName(),
                    envelope.sender().describe(), envelope.destination());
            return;
        }
        for (Child target : targets) {
            if (target.messages() != null) {
                target.messages().send(envelope);
            }
        }
    }

    private static List<Child> random(List<Child> ready) {
        return ready.isEmpty() ? List.of() : List.of(ready.get(ThreadLocalRandom.current().nextInt(ready.size())));
    }
}
