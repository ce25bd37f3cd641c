package dev.clutch.core.master;

/** Words for a child's exit status: a JVM killed by a signal exits with 128 + the signal's number. */
final class ExitStatus {

    private static final String[] SIGNALS = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};

    private ExitStatus() {
    }

    /**
     * Whether the JVM ended by a stop: exit code 0, or TERM, INT or HUP, which run the exit sequence as an exit
     * does. Not a kill or a crash, which cut that sequence, nor a failed start.
     */
    static boolean isStop(int status) {
        int signal = status - 128;
        return status == 0 || signal == 1 || signal == 2 || signal == 15;
    }

    /** As the end of a sentence about a child: "exited with exit code 3", "was killed by signal 9 (SIGKILL)". */
    static String ended(int status) {
        return (bySignal(status) ? "was " : "exited with ") + describe(status);
    }

    static String describe(int status) {
        if (bySignal(status)) {
            return "killed by signal " + (status - 128) + " (" + SIGNALS[status - 128] + ")";
        }
        return "exit code " + status;
    }

    private static boolean bySignal(int status) {
        return status > 128 && status - 128 < SIGNALS.length;
    }
}
