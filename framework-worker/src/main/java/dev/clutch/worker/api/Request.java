package dev.clutch.worker.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One HTTP request, as a handler sees it. */
public interface Request {

    /** {@code GET}, {@code PUT}, … */
    String method();

    /** The path without the query string, e.g. {@code /flags/checkout-v2}. */
    String path();

    /** The value of a {@code {name}} segment of the route's path. */
    String pathParam(String name);

    /** The first value of a query parameter. */
    Optional<String> queryParam(String name);

    /** Every query parameter with all its values, decoded, in the order the client sent them. */
    Map<String, List<String>> queryParams();

    /** The first value of a request header; the name's case does not matter. */
    Optional<String> header(String name);

    /** The body as bytes (at most {@code clutch.http.maxBodyBytes}). */
    byte[] body();

    /** The body as UTF-8 text. */
    String bodyText();

    /**
     * The body read as JSON into {@code type}, strictly: a property {@code type} does not have, a value of another
     * type ({@code 2.5} or {@code "3"} for an {@code int}), or {@code null} for a primitive (a record's primitive left
     * out too) is refused, not coerced. A property that may be left out is an {@code Integer} or an
     * {@code Optional}.
     *
     * @throws HttpException 400 naming what does not parse, with line and column
     */
    <T> T bodyAs(Class<T> type);

    /** The id of this request, also in the {@code X-Request-Id} response header and the access log. */
    String requestId();

    /** The client's address, {@code host:port}. */
    String remoteAddress();
}
