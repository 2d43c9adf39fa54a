package io.wakegate.interceptor.config;

import java.time.Duration;

/**
 * A page for browsers while a route wakes: a {@code GET} that accepts {@code text/html}, held
 * {@code after}, is answered 503 with a small self-refreshing page (and {@code Retry-After})
 * while the wake goes on. API clients never get it.
 *
 * @param after    time held before the page is sent; zero = at once
 * @param refresh  the page's refresh interval; null = from the route's observed cold starts
 * @param template the page's HTML with {@code {{placeholders}}}; null = the built-in page
 */
public record WaitingPageConfig(Duration after, Duration refresh, String template) {

    public static final Duration DEFAULT_AFTER = Duration.ZERO;
    /** Largest template accepted: the page is sent whole to every waiting browser. */
    public static final int MAX_TEMPLATE_BYTES = 64 * 1024;

    public WaitingPageConfig {
        Checks.require("after", Checks.nonNegative(after));
        if (refresh != null) {
            Checks.require("refresh", Checks.positive(refresh));
        }
    }
}
