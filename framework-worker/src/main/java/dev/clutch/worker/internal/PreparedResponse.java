package dev.clutch.worker.internal;

import dev.clutch.worker.api.Response;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link Response} made ready for the wire on the handler's thread: JSON serialized, chunks produced, headers
 * checked. Whatever of that fails, fails there, where it can still become a 500; writing it on the event loop
 * cannot fail on the application's account. Each is written once, so its headers go to the wire as they are.
 *
 * @param body the whole body, or {@code null} for a chunked response
 * @param chunks the chunks of a chunked response, or {@code null}
 */
record PreparedResponse(HttpResponseStatus status, HttpHeaders headers, byte[] body, List<String> chunks) {

    /** A response's body made ready: the bytes, or the chunks of a chunked response. */
    record Body(byte[] bytes, List<String> chunks) {
    }

    /**
     * Serializes {@code response}'s JSON or produces its chunks: what can fail on the application's account, done
     * before the filters see the response, so that they see the 500 a failure here becomes.
     *
     * @throws RuntimeException for a body that cannot be serialized
     */
    static Body bodyOf(Response response) {
        if (response.chunks() != null) {
            List<String> chunks = new ArrayList<>();
            response.chunks().forEach(chunks::add);
            return new Body(null, List.copyOf(chunks));
        }
        return new Body(response.json() != null ? Json.write(response.json()) : response.body(), null);
    }

    /** @throws RuntimeException for a body that cannot be serialized or a header that is not legal HTTP */
    static PreparedResponse of(Response response) {
        return of(response, bodyOf(response));
    }

    /**
     * {@code response}, whose body is ready, with its headers as they are now.
     *
     * @throws RuntimeException for a header that is not legal HTTP
     */
    static PreparedResponse of(Response response, Body body) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            headers.set(header.getKey(), header.getValue());
        }
        // How the body is framed is the writer's to say: a handler's length beside chunks, or one copied from
        // another response, would tell the client to read the wrong number of bytes.
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.remove(HttpHeaderNames.CONNECTION);
        return new PreparedResponse(HttpResponseStatus.valueOf(response.status()), headers, body.bytes(),
                body.chunks());
    }

    /** The same response with its chunks joined into one body: for HTTP/1.0 clients, which cannot read chunks. */
    PreparedResponse unchunked() {
        if (chunks == null) {
            return this;
        }
        return new PreparedResponse(status, headers, String.join("", chunks).getBytes(StandardCharsets.UTF_8), null);
    }
}
