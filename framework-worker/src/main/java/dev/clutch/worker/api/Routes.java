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

    public Routes get(String path, Class<? extends Handler> handler) {
        return add("GET", path, handler);
    }

    public Routes post(String path, Class<? extends Handler> handler) {
        return add("POST", path, handler);
    }

    public Routes put(String path, Class<? extends Handler> handler) {
        return add("PUT", path, handler);
    }

    public Routes delete(String path, Class<? extends Handler> handler) {
        return add("DELETE", path, handler);
    }

    public Routes add(String method, String path, Class<? extends Handler> handler) {
        routes.addBinding().toInstance(new Route(method.toUpperCase(Locale.ROOT), path, handler, blocking));
        return this;
    }
}
