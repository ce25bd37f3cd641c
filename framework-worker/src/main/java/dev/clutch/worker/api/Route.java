package dev.clutch.worker.api;

import java.util.Objects;

/**
 * One route: a method, a path template with {@code {param}} segments, and the handler class. Register routes with
 * {@link Routes}.
 *
 * @param blocking whether the handler may block; blocking handlers run on the worker's executor (virtual threads
 *     where the JDK has them), the others on the event loop
 */
public record Route(String method, String path, Class<? extends Handler> handler, boolean blocking) {

    public Route {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(handler, "handler");
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a route path starts with '/': " + path);
        }
    }
}
