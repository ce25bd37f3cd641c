package dev.clutch.worker.internal;

/**
 * A request whose body is over {@code clutch.http.maxBodyBytes}: answered 413, in its turn, and the connection closes.
 *
 * @param clientRequestId the request's {@code X-Request-Id}, or {@code null}
 */
record OversizedRequest(String method, String uri, String clientRequestId) {
}
