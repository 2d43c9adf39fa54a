package io.wakegate.interceptor.config;

import java.time.Duration;

/**
 * Early response headers and SSE keep-alives for a held request that will stream: held
 * {@code after}, it gets {@code 200 text/event-stream} at once and an SSE comment line every
 * {@code interval} until the backend answers — so clients and load balancers that give up on a
 * silent connection (60 s idle timeouts are common) keep waiting through a GPU cold start.
 *
 * @param after    time held before the headers go out; below the route's cold-start timeout
 * @param interval time between comment lines
 */
public record StreamKeepAliveConfig(Duration after, Duration interval) {

    public static final Duration DEFAULT_AFTER = Duration.ofSeconds(5);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    public StreamKeepAliveConfig {
        Checks.require("after", Checks.positive(after));
        Checks.require("interval", Checks.positive(interval));
    }
}
