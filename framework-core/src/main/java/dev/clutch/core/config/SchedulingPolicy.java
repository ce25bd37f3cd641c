package dev.clutch.core.config;

import java.util.Locale;

/** How the workers share the HTTP port ({@code clutch.cluster.schedulingPolicy}). */
public enum SchedulingPolicy {
    /** The master accepts and hands each connection to the next ready worker: an even spread. */
    RR,
    /** The master binds; every worker accepts on that socket and the kernel decides who gets a connection. */
    NONE,
    /** Every worker binds its own socket with SO_REUSEPORT; the kernel spreads connections by hash. */
    REUSEPORT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static SchedulingPolicy fromLabel(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }

    /** Whether workers receive file descriptors from the master. */
    public boolean passesDescriptors() {
        return this != REUSEPORT;
    }
}
