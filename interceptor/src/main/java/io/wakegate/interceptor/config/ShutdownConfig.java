package io.wakegate.interceptor.config;

import java.time.Duration;

/**
 * Graceful shutdown: on SIGTERM the interceptor first reports not-ready and keeps serving
 * for {@code readinessDelay} (so load balancers stop sending), then stops accepting and
 * waits up to {@code drainTimeout} for held and in-flight requests.
 *
 * @param readinessDelay time between failing readiness and closing the listener
 * @param drainTimeout   longest wait for open requests before connections are closed
 */
public record ShutdownConfig(Duration readinessDelay, Duration drainTimeout) {

    public static final Duration DEFAULT_READINESS_DELAY = Duration.ofSeconds(5);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public ShutdownConfig {
        Checks.require("readinessDelay", Checks.nonNegative(readinessDelay));
        Checks.require("drainTimeout", Checks.positive(drainTimeout));
    }

    public static ShutdownConfig defaults() {
        return new ShutdownConfig(DEFAULT_READINESS_DELAY, DEFAULT_DRAIN_TIMEOUT);
    }
}
