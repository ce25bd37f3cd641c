package dev.clutch.core.message;

import java.time.Duration;

/**
 * The master asks a child to stop gracefully within {@code timeoutMillis}; past that and {@link #GRACE}, the master
 * kills it.
 */
public record StopRequest(long timeoutMillis) {

    /** Beyond the stop timeout, for closing connections and the beforeClose hooks. */
    public static final Duration GRACE = Duration.ofSeconds(3);
}
