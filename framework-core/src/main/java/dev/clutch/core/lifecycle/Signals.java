package dev.clutch.core.lifecycle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Installs the signal handlers of a Clutch process. */
public final class Signals {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /**
     * Runs {@code handler} on the JVM's signal thread when {@code name} (without {@code SIG}) arrives; a signal that
     * cannot be handled here is left as it is, not a reason to fail the start.
     */
    public static void handle(String name, Runnable handler) {
        try {
            Signal.handle(new Signal(name), signal -> handler.run());
        } catch (IllegalArgumentException e) {
            // Ignored by whoever started us (nohup, a background job) or reserved by the JVM.
            log.debug("SIG{} cannot be handled here: {}", name, e.getMessage());
        }
    }
}
