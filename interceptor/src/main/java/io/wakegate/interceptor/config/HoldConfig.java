package io.wakegate.interceptor.config;

import java.time.Duration;

/**
 * How requests wait for a route whose backend has no ready endpoint.
 *
 * @param coldStartTimeout   longest a request is held before a 504; GPU model loading takes
 *                           minutes, hence the generous default
 * @param maxPendingRequests requests held at once for this route (503 + Retry-After above)
 * @param streamKeepAlive    early headers and SSE keep-alives for held streaming requests; null = off
 * @param waitingPage        a waiting page for browsers; null = off
 * @param failover           another backend for requests held too long or over the queue; null = off
 */
public record HoldConfig(Duration coldStartTimeout, int maxPendingRequests, StreamKeepAliveConfig streamKeepAlive,
                         WaitingPageConfig waitingPage, FailoverConfig failover) {

    public static final Duration DEFAULT_COLD_START_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 1000;

    public HoldConfig {
        Checks.require("coldStartTimeout", Checks.positive(coldStartTimeout));
        Checks.require("maxPendingRequests", Checks.positive(maxPendingRequests));
        if (streamKeepAlive != null && streamKeepAlive.after().compareTo(coldStartTimeout) >= 0) {
            throw new IllegalArgumentException("hold.streamKeepAlive.after: " + Durations.format(streamKeepAlive.after())
                    + " (expected: below coldStartTimeout, " + Durations.format(coldStartTimeout) + ")");
        }
        if (failover != null && failover.after() != null && failover.after().compareTo(coldStartTimeout) >= 0) {
            throw new IllegalArgumentException("hold.failover.after: " + Durations.format(failover.after())
                    + " (expected: below coldStartTimeout, " + Durations.format(coldStartTimeout) + ")");
        }
    }

    /** Holding only: no keep-alives, no waiting page, no failover. */
    public HoldConfig(Duration coldStartTimeout, int maxPendingRequests) {
        this(coldStartTimeout, maxPendingRequests, null, null, null);
    }

    public static HoldConfig defaults() {
        return new HoldConfig(DEFAULT_COLD_START_TIMEOUT, DEFAULT_MAX_PENDING_REQUESTS);
    }
}
