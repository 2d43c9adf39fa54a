package io.wakegate.interceptor.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How the interceptor talks to backends.
 *
 * @param connectTimeout                time allowed to open a backend connection
 * @param responseHeaderTimeout         time from the request being sent to the backend's
 *                                      response headers (time to first byte); a route may
 *                                      override it. Long, since a model may queue requests
 * @param backendIdleTimeout            a pooled backend connection idle this long is closed; below
 *                                      the keep-alive timeout of common model servers (uvicorn,
 *                                      under vLLM, closes idle connections after 5 s), so Wakegate
 *                                      closes first and rarely reuses a connection being closed
 * @param maxIdleConnectionsPerEndpoint idle connections kept per backend endpoint
 * @param streamIdleTimeout             an exchange with no byte moving either way this long (a
 *                                      stalled upload, a stalled stream, an idle tunnel) is ended;
 *                                      waiting for the response head is governed by
 *                                      {@code responseHeaderTimeout} instead
 * @param upgrades                      the {@code Upgrade} protocols forwarded (lower case); any
 *                                      other is removed and the request served as HTTP/1.1, so a
 *                                      protocol Wakegate does not understand ({@code h2c}) never
 *                                      carries later requests past routing and demand counting
 */
public record ForwardingConfig(Duration connectTimeout, Duration responseHeaderTimeout,
                               Duration backendIdleTimeout, int maxIdleConnectionsPerEndpoint,
                               Duration streamIdleTimeout, List<String> upgrades) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESPONSE_HEADER_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_BACKEND_IDLE_TIMEOUT = Duration.ofSeconds(4);
    public static final int DEFAULT_MAX_IDLE_CONNECTIONS_PER_ENDPOINT = 64;
    public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofMinutes(10);
    public static final List<String> DEFAULT_UPGRADES = List.of("websocket");

    public ForwardingConfig {
        Checks.require("connectTimeout", Checks.positive(connectTimeout));
        Checks.require("responseHeaderTimeout", Checks.positive(responseHeaderTimeout));
        Checks.require("backendIdleTimeout", Checks.positive(backendIdleTimeout));
        Checks.require("maxIdleConnectionsPerEndpoint", Checks.positive(maxIdleConnectionsPerEndpoint));
        Checks.require("streamIdleTimeout", Checks.positive(streamIdleTimeout));
        upgrades = upgrades.stream().map(u -> u.trim().toLowerCase(Locale.ROOT)).distinct().toList();
    }

    /** Settings with the default upgrades. */
    public ForwardingConfig(Duration connectTimeout, Duration responseHeaderTimeout, Duration backendIdleTimeout,
                            int maxIdleConnectionsPerEndpoint, Duration streamIdleTimeout) {
        this(connectTimeout, responseHeaderTimeout, backendIdleTimeout, maxIdleConnectionsPerEndpoint,
                streamIdleTimeout, DEFAULT_UPGRADES);
    }

    /** Settings with the default stream idle timeout. */
    public ForwardingConfig(Duration connectTimeout, Duration responseHeaderTimeout, Duration backendIdleTimeout,
                            int maxIdleConnectionsPerEndpoint) {
        this(connectTimeout, responseHeaderTimeout, backendIdleTimeout, maxIdleConnectionsPerEndpoint,
                DEFAULT_STREAM_IDLE_TIMEOUT);
    }

    public static ForwardingConfig defaults() {
        return new ForwardingConfig(DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_HEADER_TIMEOUT,
                DEFAULT_BACKEND_IDLE_TIMEOUT, DEFAULT_MAX_IDLE_CONNECTIONS_PER_ENDPOINT, DEFAULT_STREAM_IDLE_TIMEOUT,
                DEFAULT_UPGRADES);
    }
}
