package dev.clutch.worker.api;

/**
 * Cross-cutting work around every request (authentication, metrics, headers). Filters run in the order they are
 * bound: {@code before} in that order, {@code after} in reverse. Throwing {@link HttpException} from {@code before}
 * answers at once, without the handler.
 *
 * <p>They run on the thread of the route's handler: a handler thread for a blocking route, the connection's event
 * loop for a {@linkplain Routes#nonBlocking() non-blocking} one, where a filter must not block either. They do not run
 * for {@code /_clutch/health}, which load balancers and probes call without credentials.
 */
public interface Filter {

    /**
     * Called before the handler, in the order the filters were added.
     *
     * @throws HttpException to answer with its status at once: neither the handler nor later filters run
     */
    default void before(Request request) throws Exception {
    }

    /**
     * Called with the response about to be written, an error response too (an {@link HttpException} from the
     * handler or a later filter's {@code before}, or the 500 of a failure), if this filter's {@code before} ran;
     * may add headers.
     */
    default void after(Request request, Response response) throws Exception {
    }
}
