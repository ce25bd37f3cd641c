package dev.clutch.worker.api;

/**
 * Serves one route. Handlers are Guice-managed: inject what they need; annotate the class {@code @Singleton} to
 * share one instance.
 *
 * <p>What {@link #handle} returns becomes the response: a {@link Response} as it is; a {@code String} as
 * {@code text/plain}; {@code null} as 204 No Content; anything else as JSON (Jackson). Throw {@link HttpException}
 * for an error status; any other exception answers 500 with a request id and is logged with its stack trace.
 */
@FunctionalInterface
public interface Handler {

    /**
     * Answers {@code request}: the value returned becomes the response, as the class comment says.
     *
     * @throws HttpException for an error status the client should see; any other exception answers 500
     */
    Object handle(Request request) throws Exception;
}
