package io.wakegate.interceptor.config;

import java.time.Duration;
import java.util.Objects;

/**
 * One route: which requests it takes, where they go, and how long they may wait for a
 * cold backend.
 *
 * @param name                      unique, matching {@value #NAME_PATTERN} (Kubernetes mode
 *                                  uses {@code namespace/name}); used in metrics and logs
 * @param match                     which requests the route takes; all conditions must hold
 * @param backend                   where matched requests go; exactly one kind
 * @param hold                      how requests wait while no endpoint is ready
 * @param maxConcurrencyPerEndpoint requests in flight per endpoint; 0 = unlimited
 * @param responseHeaderTimeout     overrides {@link ForwardingConfig#responseHeaderTimeout()};
 *                                  {@code null} = use that default
 */
public record RouteConfig(String name, MatchConfig match, BackendConfig backend, HoldConfig hold,
                          int maxConcurrencyPerEndpoint, Duration responseHeaderTimeout) {

    /** What a route name must match. */
    public static final String NAME_PATTERN = "[A-Za-z0-9._/-]+";
    /** {@code maxConcurrencyPerEndpoint} when absent: no limit. */
    public static final int UNLIMITED_CONCURRENCY = 0;

    public RouteConfig {
        Checks.require("name", Checks.routeName(name));
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(hold, "hold");
        Checks.require("maxConcurrencyPerEndpoint", Checks.nonNegative(maxConcurrencyPerEndpoint));
        if (responseHeaderTimeout != null) {
            Checks.require("responseHeaderTimeout", Checks.positive(responseHeaderTimeout));
        }
    }

    /** This route's response-header timeout, or the forwarding default when it sets none. */
    public Duration responseHeaderTimeout(ForwardingConfig forwarding) {
        return responseHeaderTimeout != null ? responseHeaderTimeout : forwarding.responseHeaderTimeout();
    }
}
