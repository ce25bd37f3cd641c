package dev.clutch.core.lifecycle;

import java.util.List;

/**
 * The signals other servers give meaning to (reopen logs, re-exec) that Clutch does not use: without a handler,
 * either would end a JVM at once, or, for HotSpot's own {@code USR2}, crash it (JDK-8288556). Every Clutch process
 * handles them, to say they are ignored.
 */
public final class ForeignSignals {

    /** SIGUSR2's number on Linux. */
    private static final int USR2 = 12;

    private ForeignSignals() {
    }

    /**
     * {@code USR1}, and {@code USR2} when HotSpot suspends threads with another signal ({@code _JAVA_SR_SIGNUM},
     * which the application's launcher sets): a handler installed over HotSpot's own would receive the JVM's
     * signals (its profiler's, for one).
     */
    public static List<String> names() {
        String suspendSignal = System.getenv("_JAVA_SR_SIGNUM");
        boolean usr2Free = suspendSignal != null && suspendSignal.matches("\\d{1,2}")
                && Integer.parseInt(suspendSignal) != USR2;
        return usr2Free ? List.of("USR1", "USR2") : List.of("USR1");
    }
}
