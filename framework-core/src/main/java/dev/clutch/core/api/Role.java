package dev.clutch.core.api;

import java.util.Locale;

/** The role a Clutch process plays in its cluster. */
public enum Role {
    /** Launches, routes, supervises; runs no application code. */
    MASTER,
    /** The one per-host process for background work; never restarted automatically. */
    AGENT,
    /** Serves HTTP on the shared port; replaced when it dies. */
    WORKER;

    /** The lower-case name used in logs, environment variables and on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a label such as {@code agent}.
     *
     * @throws IllegalArgumentException naming the allowed labels when {@code label} is not one
     */
    public static Role fromLabel(String label) {
        for (Role role : values()) {
            if (role.label().equals(label)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + label + "': expected master, agent or worker");
    }
}
