package io.wakegate.interceptor.config;

import java.time.Duration;

/**
 * How the interceptor talks to backends.
 *
 * @param connectTimeout                time allowed to open a backend connection
 * @param responseHeaderTimeout         time from the request being sent to the backend's
 *                                      response headers (time to first byte); a route may
 *                                      override it. Long, since a model may queue requests
 * @param backendIdleTimeout            a pooled backend connection idle this long is closed
 * @param maxIdleConnectionsPerEndpoint idle connections kept per backend endpoint
 */
public record ForwardingConfig(Duration connectTimeout, Duration responseHeaderTimeout,
                               Duration backendIdleTimeout, int maxIdleConnectionsPerEndpoint) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESPONSE_HEADER_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_BACKEND_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_IDLE_CONNECTIONS_PER_ENDPOINT = 64;

    public ForwardingConfig {
        Checks.require("connectTimeout", Checks.positive(connectTimeout));
        Checks.require("responseHeaderTimeout", Checks.positive(responseHeaderTimeout));
        Checks.require("backendIdleTimeout", Checks.positive(backendIdleTimeout));
        Checks.require("maxIdleConnectionsPerEndpoint", Checks.positive(maxIdleConnectionsPerEndpoint));
    }

    public static ForwardingConfig defaults() {
        return new ForwardingConfig(DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_HEADER_TIMEOUT,
                DEFAULT_BACKEND_IDLE_TIMEOUT, DEFAULT_MAX_IDLE_CONNECTIONS_PER_ENDPOINT);
    }
}
