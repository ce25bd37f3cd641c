package dev.clutch.sample.worker;

import dev.clutch.core.api.LifecycleHook;
import dev.clutch.worker.api.ScheduledTasks;
import jakarta.inject.Inject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The worker task the agent's {@code stale-flags} schedule runs on one worker: flags to remove from the code. */
final class StaleFlags implements LifecycleHook {

    private static final Logger log = LoggerFactory.getLogger(StaleFlags.class);

    private final ScheduledTasks tasks;
    private final FlagView flags;

    @Inject
    StaleFlags(ScheduledTasks tasks, FlagView flags) {
        this.tasks = tasks;
        this.flags = flags;
    }

    @Override
    public void didLoad() {
        tasks.register("stale-flags", () -> {
            List<String> stale = flags.all().stream().filter(Flag::isStale).map(Flag::name).toList();
            log.info("stale flags (fully on or off: remove them from the code): {}", stale.isEmpty() ? "none"
                    : stale);
        });
    }
}
