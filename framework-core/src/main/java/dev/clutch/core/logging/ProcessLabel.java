package dev.clutch.core.logging;

import dev.clutch.core.api.Role;

/**
 * How a process names itself in logs and in its log file: {@code master}, {@code agent}, {@code worker-2}. Read from
 * the environment the master gives each child, so it is known before any configuration is loaded.
 */
public record ProcessLabel(Role role, int workerId) {

    public static final String ROLE_ENV = "CLUTCH_ROLE";
    public static final String WORKER_ID_ENV = "CLUTCH_WORKER_ID";

    public static ProcessLabel current() {
        String role = System.getenv(ROLE_ENV);
        if (role == null || role.isBlank()) {
            return new ProcessLabel(Role.MASTER, 0);
        }
        String id = System.getenv(WORKER_ID_ENV);
        return new ProcessLabel(Role.fromLabel(role), id == null ? 0 : Integer.parseInt(id));
    }

    /** The base name of this process's log file. */
    public String fileName() {
        return role == Role.WORKER ? "worker-" + workerId : role.label();
    }

    /** The label every log line carries: {@code worker-2:4242}. */
    public String withPid() {
        return fileName() + ":" + ProcessHandle.current().pid();
    }
}
