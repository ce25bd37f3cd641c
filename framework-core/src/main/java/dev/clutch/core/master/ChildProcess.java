package dev.clutch.core.master;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A launched child process, as the master controls it. */
public interface ChildProcess {

    long pid();

    /** Completes with the exit status once the process has exited and been reaped. */
    CompletableFuture<Integer> onExit();

    boolean isAlive();

    /** Asks the process to stop (SIGTERM). */
    void terminate();

    /** Ends the process at once (SIGKILL). */
    void kill();

    /** Sends SIGQUIT, which makes a JVM print a thread dump to its stdout. */
    void requestThreadDump();

    /** The last lines the process wrote to stderr, oldest first. */
    List<String> lastStderrLines();
}
