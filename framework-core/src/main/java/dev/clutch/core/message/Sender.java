package dev.clutch.core.message;

import dev.clutch.core.api.Role;

/**
 * Who sent a message. The master stamps it on every message it receives from the authenticated connection, so a
 * child can never speak for another process.
 *
 * @param workerId the worker's slot number (1..N), 0 for the master and the agent
 */
public record Sender(Role role, int workerId, long pid) {

    /** A short label for logs: {@code worker-2 (pid 4242)}. */
    public String describe() {
        return (role == Role.WORKER ? "worker-" + workerId : role.label()) + " (pid " + pid + ")";
    }
}
