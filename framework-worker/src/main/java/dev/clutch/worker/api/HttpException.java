package dev.clutch.worker.api;

/**
 * Ends a request with an error status. The client gets {@code {"status": 400, "error": "...", "requestId": "..."}}.
 */
public class HttpException extends RuntimeException {

    private final int status;

    /** @throws IllegalArgumentException when {@code status} is not an error status (400-599) */
    public HttpException(int status, String message) {
        super(message);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("HttpException takes an error status (400-599), not " + status
                    + ": return a Response for other statuses");
        }
        this.status = status;
    }

    /** The error status the client gets, 400-599. */
    public int status() {
        return status;
    }

    /** A 400: the request is wrong, and {@code message} tells the client how. */
    public static HttpException badRequest(String message) {
        return new HttpException(400, message);
    }

    /** A 404: what the request names does not exist. */
    public static HttpException notFound(String message) {
        return new HttpException(404, message);
    }
}
