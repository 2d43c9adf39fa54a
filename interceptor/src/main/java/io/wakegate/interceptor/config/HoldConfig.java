package io.wakegate.interceptor.config;

import java.time.Duration;

/**
 * How requests wait for a route whose backend has no ready endpoint.
 *
 * @param coldStartTimeout   longest a request is held before a 504; GPU model loading takes
 *                           minutes, hence the generous default
 * @param maxPendingRequests requests held at once for this route (503 + Retry-After above)
 */
public record HoldConfig(Duration coldStartTimeout, int maxPendingRequests) {

    public static final Duration DEFAULT_COLD_START_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 1000;

    public HoldConfig {
        Checks.require("coldStartTimeout", Checks.positive(coldStartTimeout));
        Checks.require("maxPendingRequests", Checks.positive(maxPendingRequests));
    }

    public static HoldConfig defaults() {
        return new HoldConfig(DEFAULT_COLD_START_TIMEOUT, DEFAULT_MAX_PENDING_REQUESTS);
    }
}
