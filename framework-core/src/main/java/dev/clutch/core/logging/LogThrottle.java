package dev.clutch.core.logging;

import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * At most one line per interval for a problem that can repeat thousands of times a second (a flood of refused
 * connections, a receiver that stopped keeping up): the next line that is written says how many were held back,
 * so the log stays readable and nothing goes uncounted.
 */
public final class LogThrottle {

    private final long intervalNanos;
    private long lastNanos;
    private boolean logged;
    private long heldBack;

    public LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /**
     * Writes one line through {@code line}, which gets how many were held back since the last one, or holds this
     * one back.
     */
    public synchronized void log(LongConsumer line) {
        long now = System.nanoTime();
        if (logged && now - lastNanos < intervalNanos) {
            heldBack++;
            return;
        }
        logged = true;
        lastNanos = now;
        long count = heldBack;
        heldBack = 0;
        line.accept(count);
    }

    /** {@code " (and N more since the last such line)"}, or nothing when none were held back. */
    public static String andMore(long heldBack) {
        return heldBack == 0 ? "" : " (and " + heldBack + " more since the last such line)";
    }
}
