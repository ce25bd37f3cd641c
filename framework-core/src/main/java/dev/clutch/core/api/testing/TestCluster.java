package dev.clutch.core.api.testing;

import dev.clutch.core.api.Messenger;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The application a {@link ClutchTest} booted, as its tests see it. */
public interface TestCluster {

    /** How it was booted: as a real cluster of processes, or as one process in the test's JVM. */
    ClutchTest.Mode mode();

    /** {@code http://127.0.0.1:<port>}. */
    String baseUrl();

    /** The URL of {@code path} (which starts with {@code /}). */
    default URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    /** The HTTP port it serves on, a free one picked for the test. */
    int port();

    /** The application's base directory: its logs, its run directory, its relative files. */
    Path baseDir();

    /** The agent's pid, as the ready line gave it; in {@link ClutchTest.Mode#SINGLE}, the test JVM's. */
    long agentPid();

    /** The workers' pids, as the ready line gave them; in {@link ClutchTest.Mode#SINGLE}, the test JVM's alone. */
    List<Long> workerPids();

    /**
     * A messenger beside the application's processes: it reaches the agent and the workers, and gets replies, as
     * they reach each other. In {@link ClutchTest.Mode#MULTI} the master sends for it (through its control socket):
     * it sends and gets replies, but {@code on} is not supported, since nothing can send to it.
     */
    Messenger messenger();

    /** The shared state as the master keeps it (what every worker has, or is about to have), decoded. */
    Map<String, Object> sharedState();
}
