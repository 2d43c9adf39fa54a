package io.wakegate.interceptor.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Every way a request can end in an error produced by Wakegate itself rather than by a backend.
 * The {@link #code()} is what clients and dashboards see in the {@code X-Wakegate-Reason}
 * header, the JSON body and the {@code reason} tag of the rejection metric.
 */
public enum Reason {
    NO_ROUTE(HttpResponseStatus.NOT_FOUND, "no-route", "no route matches this request"),
    MODEL_NOT_FOUND(HttpResponseStatus.NOT_FOUND, "model-not-found", "no route serves the model this request names"),
    MODEL_MISSING(HttpResponseStatus.BAD_REQUEST, "model-missing",
            "this address serves several models: name one in the \"model\" field of a JSON request body"),
    MODEL_INVALID(HttpResponseStatus.BAD_REQUEST, "model-invalid",
            "the \"model\" field of the request body is not a non-empty string"),
    MALFORMED_JSON(HttpResponseStatus.BAD_REQUEST, "malformed-json", "the request body is not a JSON object"),
    MODEL_BEYOND_READ_AHEAD(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "model-beyond-read-ahead",
            "the \"model\" field is not within the first limits.modelReadAhead bytes of the request body;"
                    + " put it first, or raise the limit"),
    MODEL_READ_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, "model-read-timeout",
            "the request body did not reach its \"model\" field within limits.requestHeaderTimeout"),
    READ_AHEAD_FULL(HttpResponseStatus.SERVICE_UNAVAILABLE, "read-ahead-full",
            "too many request bodies are being read for their model at once (limits.readAheadBudget)"),
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, "bad-request", "malformed request"),
    HOST_MISMATCH(HttpResponseStatus.BAD_REQUEST, "host-mismatch",
            "absolute-form request target names another host than the Host header"),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri-too-long", "request line too long"),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large",
            "request headers too large"),
    BODY_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body-too-large", "request body too large"),
    VERSION_NOT_SUPPORTED(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "version-not-supported",
            "only HTTP/1.0 and HTTP/1.1 are served on this connection; HTTP/2 needs prior knowledge (h2c)"),
    METHOD_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED, "method-not-allowed",
            "CONNECT is not supported: Wakegate is not a forward proxy"),
    QUEUE_FULL(HttpResponseStatus.SERVICE_UNAVAILABLE, "queue-full",
            "too many requests are waiting for this backend"),
    COLD_START_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "cold-start-timeout",
            "the backend did not become ready in time"),
    CONNECT_FAILED(HttpResponseStatus.BAD_GATEWAY, "connect-failed", "could not connect to any ready endpoint"),
    BACKEND_FAILED(HttpResponseStatus.BAD_GATEWAY, "backend-failed",
            "the backend closed the connection or sent an invalid response"),
    BACKEND_FAILED_TO_START(HttpResponseStatus.BAD_GATEWAY, "backend-failed-to-start",
            "the backend process exited or could not be started before it became ready"),
    BACKEND_START_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "backend-start-timeout",
            "the backend process did not become ready within its startTimeout"),
    BACKEND_START_BACKOFF(HttpResponseStatus.SERVICE_UNAVAILABLE, "backend-start-backoff",
            "the backend process failed to start maxRestarts times in a row; it is tried again after a back-off"),
    BACKEND_ERROR(HttpResponseStatus.BAD_GATEWAY, "backend-error",
            "the backend answered with an error status after the stream had started"),
    REQUEST_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, "request-timeout",
            "the request body stalled for longer than the stream idle timeout"),
    RESPONSE_HEADER_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "response-header-timeout",
            "the backend did not start its response in time"),
    NOT_WAKEABLE(HttpResponseStatus.SERVICE_UNAVAILABLE, "not-wakeable",
            "the backend has no ready endpoint and nothing can wake it"),
    ROUTE_REMOVED(HttpResponseStatus.SERVICE_UNAVAILABLE, "route-removed",
            "the route was removed from the configuration while the request waited"),
    WAKING(HttpResponseStatus.SERVICE_UNAVAILABLE, "waking",
            "the backend is waking up; the waiting page reloads until it is ready"),
    SHUTTING_DOWN(HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting-down", "Wakegate is shutting down");

    private final HttpResponseStatus status;
    private final String code;
    private final String message;

    Reason(HttpResponseStatus status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** Stable, lower-case, hyphenated identifier. */
    public String code() {
        return code;
    }

    /** A short human explanation, used as the JSON {@code error} field. */
    public String message() {
        return message;
    }
}
