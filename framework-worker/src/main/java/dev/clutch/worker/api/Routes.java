package dev.clutch.worker.api;

import com.google.inject.Binder;
import com.google.inject.binder.LinkedBindingBuilder;
import com.google.inject.multibindings.Multibinder;
import java.util.Locale;

/**
 * Registers routes and filters from a worker's Guice module:
 *
 * <pre>{@code
 * protected void configure() {
 *     Routes routes = Routes.of(binder());
 *     routes.get("/flags", ListFlags.class);
 *     routes.get("/flags/{name}", GetFlag.class);
 *     routes.put("/flags/{name}", PutFlag.class);
 *     routes.nonBlocking().get("/ping", Ping.class);
 *     Routes.addFilter(binder()).to(RequestTimer.class);
 * }
 * }</pre>
 */
public final class Routes {

    private final Multibinder<Route> routes;
    private final boolean blocking;

    private Routes(Multibinder<Route> routes, boolean blocking) {
        this.routes = routes;
        this.blocking = blocking;
    }

    /** The routes of the module whose {@code binder} is given; every worker module may add its own. */
    public static Routes of(Binder binder) {
        return new Routes(Multibinder.newSetBinder(binder, Route.class), true);
    }

    /** Adds a filter; filters run in the order they are added. */
    public static LinkedBindingBuilder<Filter> addFilter(Binder binder) {
        return Multibinder.newSetBinder(binder, Filter.class).addBinding();
    }

    /** Routes added through the returned object run on the event loop: their handlers must never block. */
    public Routes nonBlocking() {
        return new Routes(routes, false);
    }

    /**
     * Routes {@code GET path} to {@code handler}; a {@code HEAD} of the path is served by it too (without the body),
     * unless a {@code HEAD} route of its own is {@linkplain #add added}. A path segment {@code {name}} matches any
     * one segment, read with {@link Request#pathParam}.
     */
    public Routes get(String path, Class<? extends Handler> handler) {
        return add("GET", path, handler);
    }

    /** Routes {@code POST path} to {@code handler}, as {@link #get}. */
    public Routes post(String path, Class<? extends Handler> handler) {
        return add("POST", path, handler);
    }

    /** Routes {@code PUT path} to {@code handler}, as {@link #get}. */
    public Routes put(String path, Class<? extends Handler> handler) {
        return add("PUT", path, handler);
    }

    /** Routes {@code DELETE path} to {@code handler}, as {@link #get}. */
    public Routes delete(String path, Class<? extends Handler> handler) {
        return add("DELETE", path, handler);
    }

    /**
     * Routes {@code method path} to {@code handler}, for the methods without a shortcut ({@code PATCH},
     * {@code HEAD}, {@code OPTIONS}, ...); the method's case does not matter.
     */
    public Routes add(String method, String path, Class<? extends Handler> handler) {
        routes.addBinding().toInstance(new Route(method.toUpperCase(Locale.ROOT), path, handler, blocking));
        return this;
    }
}
