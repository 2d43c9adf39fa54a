package io.wakegate.interceptor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.wakegate.interceptor.http.Reason;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One route's meters, resolved once so recording allocates nothing. Thread-safe. */
public final class RouteMetrics {

    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final Counter[] byStatusClass = new Counter[STATUS_CLASSES.length];
    private final Timer requestDuration;
    private final Timer holdDuration;
    private final Timer coldStartDuration;
    private final Counter coldStarts;
    private final Map<Reason, Counter> rejections = new EnumMap<>(Reason.class);
    private final Counter failoversAfterHold;
    private final Counter failoversOnQueueFull;
    private final Counter keepAliveStreams;
    private final Counter waitingPages;
    /** For the admin API: the last cold start's duration (-1: none yet) and the last rejection. */
    private volatile long lastColdStartNanos = -1;
    private volatile Rejection lastRejection;

    /** The last request Wakegate answered with an error on this route, and when. */
    public record Rejection(Reason reason, java.time.Instant at) {
    }

    RouteMetrics(MeterRegistry registry, String route) {
        for (int i = 0; i < STATUS_CLASSES.length; i++) {
            byStatusClass[i] = Counter.builder("wakegate.interceptor.requests")
                    .description("Requests answered, by status class")
                    .tags("route", route, "status_class", STATUS_CLASSES[i]).register(registry);
        }
        requestDuration = Timer.builder("wakegate.interceptor.request.duration")
                .description("Time from request head to the response's last byte, holding included")
                .tag("route", route).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(30))
                .register(registry);
        holdDuration = Timer.builder("wakegate.interceptor.hold.duration")
                .description("Time requests waited for a ready endpoint")
                .tag("route", route).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(30))
                .register(registry);
        coldStartDuration = Timer.builder("wakegate.interceptor.cold.start.duration")
                .description("Time from the first request held at zero until an endpoint was ready")
                .tag("route", route).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofMinutes(30))
                .register(registry);
        coldStarts = Counter.builder("wakegate.interceptor.cold.starts")
                .description("Cold starts completed: the backend went from no ready endpoint to one while requests waited")
                .tag("route", route).register(registry);
        for (Reason reason : Reason.values()) {
            rejections.put(reason, rejectionCounter(registry, route, reason));
        }
        failoversAfterHold = failovers(registry, route, "after-hold");
        failoversOnQueueFull = failovers(registry, route, "queue-full");
        keepAliveStreams = Counter.builder("wakegate.interceptor.stream.keep.alives")
                .description("Held streaming requests answered with early SSE headers and keep-alive comments")
                .tag("route", route).register(registry);
        waitingPages = Counter.builder("wakegate.interceptor.waiting.pages")
                .description("Browser requests answered with the waiting page while the route woke")
                .tag("route", route).register(registry);
    }

    private static Counter failovers(MeterRegistry registry, String route, String cause) {
        return Counter.builder("wakegate.interceptor.failovers")
                .description("Held requests sent to the route's failover backend, by cause")
                .tags("route", route, "cause", cause).register(registry);
    }

    /** A held request went to the failover backend: held too long ({@code onQueueFull} false) or over the queue. */
    public void failover(boolean onQueueFull) {
        (onQueueFull ? failoversOnQueueFull : failoversAfterHold).increment();
    }

    /** A held streaming request got its headers early. */
    public void keepAliveStream() {
        keepAliveStreams.increment();
    }

    /** A browser got the waiting page. */
    public void waitingPage() {
        waitingPages.increment();
    }

    static Counter rejectionCounter(MeterRegistry registry, String route, Reason reason) {
        return Counter.builder("wakegate.interceptor.rejections")
                .description("Requests answered by Wakegate itself with an error, by reason")
                .tags("route", route, "reason", reason.code()).register(registry);
    }

    /** A response was sent (from the backend or by Wakegate). */
    public void responded(int status, long durationNanos) {
        int index = status / 100 - 1;
        if (index >= 0 && index < byStatusClass.length) {
            byStatusClass[index].increment();
        }
        requestDuration.record(durationNanos, TimeUnit.NANOSECONDS);
    }

    public void held(long nanos) {
        holdDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void coldStart(long nanos) {
        lastColdStartNanos = nanos;
        coldStarts.increment();
        coldStartDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void rejected(Reason reason) {
        rejections.get(reason).increment();
        lastRejection = new Rejection(reason, java.time.Instant.now());
    }

    /** The duration of the last completed cold start in nanoseconds, or -1 before the first. */
    public long lastColdStartNanos() {
        return lastColdStartNanos;
    }

    /** The last rejection, or null. */
    public Rejection lastRejection() {
        return lastRejection;
    }
}
