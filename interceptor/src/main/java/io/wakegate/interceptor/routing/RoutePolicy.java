package io.wakegate.interceptor.routing;

import io.wakegate.interceptor.config.StreamKeepAliveConfig;
import io.wakegate.interceptor.config.WaitingPageConfig;
import java.time.Duration;

/**
 * How one route treats its requests. Immutable; a reload publishes a new one, and a request
 * keeps the policy it was admitted with.
 *
 * @param coldStartTimeout          how long a request may be held waiting for a ready endpoint
 * @param maxPendingRequests        held requests at most on this route
 * @param maxConcurrencyPerEndpoint outstanding requests per endpoint at most; 0 = unlimited
 * @param responseHeaderTimeout     time from the request's last byte to the response head
 * @param wakeable                  false when nothing wakes the backend: a request is never held
 *                                  while no endpoint is ready (503 {@code not-wakeable})
 * @param streamKeepAlive           early SSE headers and keep-alives for held streaming requests; null = off
 * @param waitingPage               the page browsers get while the route wakes; null = off
 * @param failoverAfter             time held before a request goes to the route's failover backend;
 *                                  null = not on time (see {@link Route#failover()})
 * @param failoverOnQueueFull       a request over the hold queue goes to the failover backend
 */
public record RoutePolicy(Duration coldStartTimeout, int maxPendingRequests, int maxConcurrencyPerEndpoint,
                          Duration responseHeaderTimeout, boolean wakeable, StreamKeepAliveConfig streamKeepAlive,
                          WaitingPageConfig waitingPage, Duration failoverAfter, boolean failoverOnQueueFull) {

    /** A policy that only holds: no keep-alives, no waiting page, no failover. */
    public RoutePolicy(Duration coldStartTimeout, int maxPendingRequests, int maxConcurrencyPerEndpoint,
                       Duration responseHeaderTimeout, boolean wakeable) {
        this(coldStartTimeout, maxPendingRequests, maxConcurrencyPerEndpoint, responseHeaderTimeout, wakeable,
                null, null, null, false);
    }

    public RoutePolicy {
        if (coldStartTimeout == null || coldStartTimeout.isNegative() || coldStartTimeout.isZero()) {
            throw new IllegalArgumentException("coldStartTimeout: " + coldStartTimeout + " (expected: > 0)");
        }
        if (maxPendingRequests < 1) {
            throw new IllegalArgumentException("maxPendingRequests: " + maxPendingRequests + " (expected: >= 1)");
        }
        if (maxConcurrencyPerEndpoint < 0) {
            throw new IllegalArgumentException(
                    "maxConcurrencyPerEndpoint: " + maxConcurrencyPerEndpoint + " (expected: >= 0)");
        }
        if (responseHeaderTimeout == null || responseHeaderTimeout.isNegative() || responseHeaderTimeout.isZero()) {
            throw new IllegalArgumentException("responseHeaderTimeout: " + responseHeaderTimeout + " (expected: > 0)");
        }
    }
}
