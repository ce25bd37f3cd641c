package dev.clutch.core.master;

import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a master when the process that started it for a test exits: a test JVM killed outright (a CI timeout,
 * kill -9) runs no shutdown hook, and its cluster would otherwise serve on with no one to stop it.
 */
public final class ParentWatch {

    /** The environment variable naming the pid whose exit stops the master; the test kit sets it. */
    public static final String ENV = "CLUTCH_STOP_WITH_PID";

    private static final Logger log = LoggerFactory.getLogger(ParentWatch.class);

    private ParentWatch() {
    }

    /** Has {@code master} stop as TERM would once the process {@code environment} names is gone, if it names one. */
    static void install(Map<String, String> environment, Master master) {
        String value = environment.get(ENV);
        if (value == null || value.isBlank()) {
            return;
        }
        Optional<ProcessHandle> parent;
        try {
            parent = ProcessHandle.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            log.warn("{} = {} is not a pid: nothing stops this master when its starter exits", ENV, value);
            return;
        }
        if (parent.isEmpty()) {
            log.warn("the process that started this master (pid {}, {}) is already gone: stopping", value, ENV);
            master.signal("TERM");
            return;
        }
        parent.get().onExit().thenRun(() -> {
            log.warn("the process that started this master (pid {}, {}) has exited: stopping", value, ENV);
            master.signal("TERM");
        });
    }
}
