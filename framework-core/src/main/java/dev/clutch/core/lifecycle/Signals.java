package dev.clutch.core.lifecycle;

import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** Installs the signal handlers of a Clutch process. */
public final class Signals {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);
    /** The JVM's shutdown signals: ignored at the start, they stay ignored whatever handler is set. */
    private static final Set<String> KEPT_IGNORED = Set.of("HUP", "INT", "TERM");

    private Signals() {
    }

    /**
     * Runs {@code handler} on the JVM's signal thread when {@code name} (without {@code SIG}) arrives; a signal that
     * cannot be handled here is left as it is, not a reason to fail the start.
     *
     * @return whether the handler will run: not for a signal reserved by the JVM, nor for HUP, INT or TERM when this
     *     process started with it ignored (under {@code nohup}, say), which the JVM then keeps ignored
     */
    public static boolean handle(String name, Runnable handler) {
        try {
            SignalHandler before = Signal.handle(new Signal(name), signal -> handler.run());
            return !(before == SignalHandler.SIG_IGN && KEPT_IGNORED.contains(name));
        } catch (IllegalArgumentException e) {
            log.debug("SIG{} cannot be handled here: {}", name, e.getMessage());
            return false;
        }
    }
}
