package dev.clutch.core.master;

/** Words for a child's exit status: a JVM killed by a signal exits with 128 + the signal's number. */
final class ExitStatus {

    private static final String[] SIGNALS = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};

    private ExitStatus() {
    }

    /**
     * Whether a signal ended the JVM without its exit sequence (a kill, or a crash); TERM, INT and HUP run it, as
     * an exit does.
     */
    static boolean isAbrupt(int status) {
        int signal = status - 128;
        return signal == 4 || signal == 6 || signal == 7 || signal == 8 || signal == 9 || signal == 11;
    }

    static String describe(int status) {
        if (status > 128 && status - 128 < SIGNALS.length) {
            return "killed by signal " + (status - 128) + " (" + SIGNALS[status - 128] + ")";
        }
        return "exit code " + status;
    }
}
