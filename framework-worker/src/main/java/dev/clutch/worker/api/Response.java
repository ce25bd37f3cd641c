package dev.clutch.worker.api;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** An HTTP response a handler returns: a status, headers and a body (bytes, JSON, or chunks). */
public final class Response {

    private static final byte[] JSON_NULL = "null".getBytes(StandardCharsets.US_ASCII);

    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final byte[] body;
    private final Object json;
    private final Iterable<String> chunks;

    private Response(int status, String contentType, byte[] body, Object json, Iterable<String> chunks) {
        if (status < 200 || status > 599) {
            // 1xx are interim answers the server sends itself; a handler's response is final.
            throw new IllegalArgumentException("a response's status is 200-599, not " + status);
        }
        this.status = status;
        this.body = body;
        this.json = json;
        this.chunks = chunks;
        if (contentType != null) {
            headers.put("content-type", contentType);
        }
    }

    /** 200 with {@code value} as JSON. */
    public static Response ok(Object value) {
        return json(200, value);
    }

    /** {@code status} with {@code value} as JSON ({@code null} is written as JSON's {@code null}). */
    public static Response json(int status, Object value) {
        if (value == null) {
            return new Response(status, "application/json", JSON_NULL.clone(), null, null);
        }
        return new Response(status, "application/json", null, value, null);
    }

    /** {@code status} with {@code text} as {@code text/plain} in UTF-8. */
    public static Response text(int status, String text) {
        return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), null, null);
    }

    /** {@code status} with {@code body} (copied) as {@code contentType}. */
    public static Response bytes(int status, String contentType, byte[] body) {
        return new Response(status, contentType, body.clone(), null, null);
    }

    /** A status with no body, e.g. 204. */
    public static Response status(int status) {
        return new Response(status, null, new byte[0], null, null);
    }

    /**
     * A body sent with chunked transfer encoding, one chunk per element: for responses whose size is not known in
     * advance. The iterable is read whole on the handler's thread before anything is written (a failure while it
     * produces is still a 500), so the body must fit in memory; it is not streamed.
     */
    public static Response chunked(int status, String contentType, Iterable<String> chunks) {
        return new Response(status, contentType, null, null, Objects.requireNonNull(chunks));
    }

    /**
     * Adds or replaces a header. {@code Content-Length}, {@code Transfer-Encoding} and {@code Connection} are the
     * framework's, set from the body and the connection: given here, they are left out.
     */
    public Response header(String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), value);
        return this;
    }

    /** The HTTP status, 200-599. */
    public int status() {
        return status;
    }

    /** The headers, names in lower case; read-only: {@link #header} sets one. */
    public Map<String, String> headers() {
        return java.util.Collections.unmodifiableMap(headers);
    }

    /**
     * A copy, headers and all, that changes apart from this one. What a handler returns reaches the filters as a
     * copy, so that a response kept and returned again (a constant) does not gather their headers request after
     * request.
     */
    public Response copy() {
        Response copy = new Response(status, null, body, json, chunks);
        copy.headers.putAll(headers);
        return copy;
    }

    /** The body bytes, or {@code null} for a JSON or chunked body. */
    public byte[] body() {
        return body;
    }

    /** The value to write as JSON, or {@code null}. */
    public Object json() {
        return json;
    }

    /** The chunks of a chunked body, or {@code null}. */
    public Iterable<String> chunks() {
        return chunks;
    }

    @Override
    public String toString() {
        return "Response[" + status + ", " + headers + "]";
    }
}
