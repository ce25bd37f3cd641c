package dev.clutch.worker.api;

/**
 * Ends a request with an error status. The client gets {@code {"status": 400, "error": "...", "requestId": "..."}}.
 */
public class HttpException extends RuntimeException {

    private final int status;

    public HttpException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static HttpException badRequest(String message) {
        return new HttpException(400, message);
    }

    public static HttpException notFound(String message) {
        return new HttpException(404, message);
    }
}
