package dev.clutch.core.message;

/** The master tells every child that the agent and all workers are ready. */
public record ClusterReady(long agentPid, long[] workerPids, String url) {
}
