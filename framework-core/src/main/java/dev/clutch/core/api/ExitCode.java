package dev.clutch.core.api;

/**
 * Exit codes of Clutch processes: the contract between children and the master, and between the master and
 * whatever started it (a shell, systemd, Kubernetes).
 */
public enum ExitCode {
    /** Stopped as asked. */
    OK(0),
    /** An unexpected error. */
    FAILURE(1),
    /** Bad command line or configuration; nothing was started. */
    CONFIG_ERROR(2),
    /** A process failed to start: the application threw during start-up, or a child was not ready in time. */
    START_FAILED(3),
    /** A child lost its master and stopped by itself. */
    MASTER_LOST(4);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }
}
