package dev.clutch.core.message;

/** An operator command sent to a running master over its control socket: {@code status}, {@code stop}, … */
public record ControlRequest(String command, String[] args) {

    /** The argument of {@code reload} that starts a new agent before the workers are replaced. */
    public static final String RELOAD_AGENT = "--agent";
}
