package dev.clutch.worker.internal;

import dev.clutch.worker.api.Request;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A request copied out of Netty's buffers, so a handler on another thread can read it after Netty moved on. */
final class HttpRequestView implements Request {

    private final String method;
    private final String path;
    private final Map<String, String> pathParams;
    private final Map<String, List<String>> queryParams;
    private final HttpHeaders headers;
    private final byte[] body;
    private final String requestId;
    private final String remoteAddress;

    HttpRequestView(String method, String path, Map<String, String> pathParams,
                    Map<String, List<String>> queryParams, HttpHeaders headers, byte[] body, String requestId,
                    String remoteAddress) {
        this.method = method;
        this.path = path;
        this.pathParams = pathParams;
        this.queryParams = queryParams;
        this.headers = headers;
        this.body = body;
        this.requestId = requestId;
        this.remoteAddress = remoteAddress;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the route of " + path + " has no {" + name + "} segment");
        }
        return value;
    }

    @Override
    public Optional<String> queryParam(String name) {
        List<String> values = queryParams.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    @Override
    public Map<String, List<String>> queryParams() {
        return queryParams;
    }

    @Override
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public <T> T bodyAs(Class<T> type) {
        return Json.read(body, type);
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }
}
