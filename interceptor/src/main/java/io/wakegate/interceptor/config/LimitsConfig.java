package io.wakegate.interceptor.config;

import java.time.Duration;

/**
 * Bounds on what a client may send and how long it may take.
 *
 * @param maxInitialLineLength    longest request line, bytes (431/414 above)
 * @param maxHeaderSize           total size of the request headers, bytes (431 above)
 * @param maxRequestBodySize      largest request body, bytes (413 above)
 * @param requestHeaderTimeout    time allowed to receive the complete request headers
 * @param idleTimeout             a client connection with no traffic for this long is closed
 * @param maxPendingRequestsTotal requests held at once over all routes (503 above)
 * @param modelReadAhead          body bytes read at most to find the {@code model} field of a request
 *                                to an address that routes by model (413 beyond)
 * @param readAheadBudget         body bytes read for that and kept, over all requests at once (503 above)
 */
public record LimitsConfig(int maxInitialLineLength, int maxHeaderSize, long maxRequestBodySize,
                           Duration requestHeaderTimeout, Duration idleTimeout, int maxPendingRequestsTotal,
                           int modelReadAhead, long readAheadBudget) {

    public static final int DEFAULT_MAX_INITIAL_LINE_LENGTH = 8 * 1024;
    public static final int DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
    public static final long DEFAULT_MAX_REQUEST_BODY_SIZE = 64L * 1024 * 1024;
    public static final Duration DEFAULT_REQUEST_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_PENDING_REQUESTS_TOTAL = 10_000;
    public static final int DEFAULT_MODEL_READ_AHEAD = 64 * 1024;
    /**
     * 512 requests' worth of the default read-ahead (typical chat bodies name their model within
     * the first few hundred bytes); a quarter of the launcher's direct memory cap.
     */
    public static final long DEFAULT_READ_AHEAD_BUDGET = 32L * 1024 * 1024;

    public LimitsConfig {
        Checks.require("maxInitialLineLength", Checks.positiveSize(maxInitialLineLength));
        Checks.require("maxHeaderSize", Checks.positiveSize(maxHeaderSize));
        Checks.require("maxRequestBodySize", Checks.positiveSize(maxRequestBodySize));
        Checks.require("requestHeaderTimeout", Checks.positive(requestHeaderTimeout));
        Checks.require("idleTimeout", Checks.positive(idleTimeout));
        Checks.require("maxPendingRequestsTotal", Checks.positive(maxPendingRequestsTotal));
        Checks.require("modelReadAhead", Checks.positiveSize(modelReadAhead));
        Checks.require("readAheadBudget", Checks.positiveSize(readAheadBudget));
        if (readAheadBudget < modelReadAhead) {
            throw new IllegalArgumentException("readAheadBudget: " + readAheadBudget
                    + " (expected: at least modelReadAhead, " + modelReadAhead + ")");
        }
    }

    /** The limits without model routing settings (their defaults). */
    public LimitsConfig(int maxInitialLineLength, int maxHeaderSize, long maxRequestBodySize,
                        Duration requestHeaderTimeout, Duration idleTimeout, int maxPendingRequestsTotal) {
        this(maxInitialLineLength, maxHeaderSize, maxRequestBodySize, requestHeaderTimeout, idleTimeout,
                maxPendingRequestsTotal, DEFAULT_MODEL_READ_AHEAD, DEFAULT_READ_AHEAD_BUDGET);
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(DEFAULT_MAX_INITIAL_LINE_LENGTH, DEFAULT_MAX_HEADER_SIZE,
                DEFAULT_MAX_REQUEST_BODY_SIZE, DEFAULT_REQUEST_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_PENDING_REQUESTS_TOTAL);
    }
}
