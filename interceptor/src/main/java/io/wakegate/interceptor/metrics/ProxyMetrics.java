package io.wakegate.interceptor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.wakegate.interceptor.hold.ReadAheadBudget;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wakegate.interceptor.demand.DemandCounter;
import io.wakegate.interceptor.http.Reason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The interceptor's meter registry and its per-route meters. Thread-safe.
 *
 * <p>Meters: {@code wakegate_interceptor_requests_total{route,status_class}},
 * {@code wakegate_interceptor_request_duration_seconds{route}},
 * {@code wakegate_interceptor_hold_duration_seconds{route}},
 * {@code wakegate_interceptor_held_requests{route}}, {@code wakegate_interceptor_inflight_requests{route}},
 * {@code wakegate_interceptor_rejections_total{route,reason}},
 * {@code wakegate_interceptor_cold_starts_total{route}},
 * {@code wakegate_interceptor_cold_start_duration_seconds{route}}, plus JVM and process meters.
 * Requests that match no route are tagged {@code route="none"}.
 */
public final class ProxyMetrics {

    /** The route tag of requests that matched no route. */
    public static final String NO_ROUTE = "none";

    private final PrometheusMeterRegistry registry;
    private final ConcurrentHashMap<String, RouteMetrics> routes = new ConcurrentHashMap<>();
    private final Map<Reason, Counter> unroutedRejections = new EnumMap<>(Reason.class);

    public ProxyMetrics() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        for (Reason reason : Reason.values()) {
            unroutedRejections.put(reason, RouteMetrics.rejectionCounter(registry, NO_ROUTE, reason));
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** The meters of {@code route}, created on first use; held and in-flight gauges read {@code demand}. */
    public RouteMetrics route(String route, DemandCounter demand) {
        return routes.computeIfAbsent(route, r -> {
            Gauge.builder("wakegate.interceptor.held.requests", demand, DemandCounter::held)
                    .description("Requests waiting for a ready endpoint").tag("route", r).register(registry);
            Gauge.builder("wakegate.interceptor.inflight.requests", demand, DemandCounter::inFlight)
                    .description("Requests forwarded and not yet finished").tag("route", r).register(registry);
            return new RouteMetrics(registry, r);
        });
    }

    /** Gauges of the bytes read ahead for model routing, and of their budget. */
    public void readAhead(ReadAheadBudget budget) {
        Gauge.builder("wakegate.interceptor.read.ahead", budget, ReadAheadBudget::used).baseUnit("bytes")
                .description("Request body bytes read to find their model and not yet forwarded").register(registry);
        Gauge.builder("wakegate.interceptor.read.ahead.budget", budget, ReadAheadBudget::max).baseUnit("bytes")
                .description("limits.readAheadBudget").register(registry);
    }

    /** A request rejected before it matched a route (malformed, no route, unknown model). */
    public void rejectedUnrouted(Reason reason) {
        unroutedRejections.get(reason).increment();
    }
}
