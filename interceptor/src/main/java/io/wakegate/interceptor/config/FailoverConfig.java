package io.wakegate.interceptor.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where a held request goes instead of failing: another backend (a small always-on model, an
 * OpenAI-compatible API), after a time held and/or when the hold queue is full. The response says
 * so ({@code X-Wakegate-Failover: true}); the route's own backend still wakes.
 *
 * @param url         the failover backend, {@code http://host:port}
 * @param after       time held before failing over; null = not on time alone
 * @param onQueueFull fail over instead of answering 503 queue-full
 * @param headers     request headers set on failed-over requests (e.g. {@code Authorization});
 *                    the Host header becomes the failover's authority
 */
public record FailoverConfig(URI url, Duration after, boolean onQueueFull, Map<String, String> headers) {

    public FailoverConfig {
        Objects.requireNonNull(url, "url");
        if (after != null) {
            Checks.require("after", Checks.positive(after));
        }
        if (after == null && !onQueueFull) {
            throw new IllegalArgumentException("hold.failover.onQueueFull: false and no after is set (expected: a time held before failing over, onQueueFull: true, or both)");
        }
        headers.forEach((name, value) -> {
            Checks.require("headers." + name, Checks.headerName(name));
            Checks.require("headers." + name, Checks.headerValue(value));
        });
        headers = Map.copyOf(headers);
    }

    /** Parses a failover URL; the exception's message says what is wrong in the usual form. */
    public static URI parseUrl(String url) {
        return Checks.parseUrl(url);
    }
}
