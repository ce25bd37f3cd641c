package dev.clutch.worker.api;

/**
 * Cross-cutting work around every request (authentication, metrics, headers). Filters run in the order they are
 * bound: {@code before} in that order, {@code after} in reverse. Throwing {@link HttpException} from {@code before}
 * answers at once, without the handler.
 */
public interface Filter {

    default void before(Request request) throws Exception {
    }

    /** Called with the response about to be written; may add headers. */
    default void after(Request request, Response response) throws Exception {
    }
}
