package io.wakegate.interceptor.config;

import java.time.Duration;

/**
 * How a static endpoint's readiness is probed. For a model server, point {@code path} at an
 * endpoint that succeeds only once the model is loaded (vLLM and TGI: {@code /health}).
 *
 * @param path     HTTP GET path, starting with {@code /}, that answers 2xx when ready;
 *                 {@code null} = ready when a TCP connection succeeds
 * @param interval time between probes
 * @param timeout  time allowed for one probe
 */
public record HealthCheckConfig(String path, Duration interval, Duration timeout) {

    public static final String DEFAULT_PATH = null;
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    public HealthCheckConfig {
        if (path != null) {
            Checks.require("path", Checks.healthPath(path));
        }
        Checks.require("interval", Checks.positive(interval));
        Checks.require("timeout", Checks.positive(timeout));
    }

    /** A TCP connect check every 2s with a 1s timeout. */
    public static HealthCheckConfig defaults() {
        return new HealthCheckConfig(DEFAULT_PATH, DEFAULT_INTERVAL, DEFAULT_TIMEOUT);
    }

    /** Whether readiness is a TCP connect rather than an HTTP GET. */
    public boolean tcp() {
        return path == null;
    }
}
