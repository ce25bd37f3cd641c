package dev.clutch.core.message;

/** The master asks a child to stop gracefully within {@code timeoutMillis}; after that the master kills it. */
public record StopRequest(long timeoutMillis) {
}
