package io.wakegate.scaler.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every meter the scaler exports. Names follow {@code wakegate_scaler_<what>_<unit>} once
 * the Prometheus registry has rendered them.
 *
 * <p>Thread-safe: meters may be updated from any thread.
 */
public final class ScalerMetrics {

    private final MeterRegistry registry;
    private final Counter reports;
    private final Counter staleReports;
    private final AtomicInteger interceptors = new AtomicInteger();
    private final AtomicInteger demandStreams = new AtomicInteger();
    private final AtomicInteger activityStreams = new AtomicInteger();
    private final Counter activationPushes;
    private final Counter deactivationPushes;
    private final Timer pushLatency;
    private final Counter expirations;

    public ScalerMetrics(MeterRegistry registry) {
        this.registry = registry;
        reports = Counter.builder("wakegate.scaler.reports")
                .description("Demand reports accepted from interceptors").register(registry);
        staleReports = Counter.builder("wakegate.scaler.reports.stale")
                .description("Demand reports ignored because a newer one was already accepted")
                .register(registry);
        registry.gauge("wakegate.scaler.interceptors", interceptors);
        registry.gauge("wakegate.scaler.demand.streams", demandStreams);
        registry.gauge("wakegate.scaler.activity.streams", activityStreams);
        activationPushes = Counter.builder("wakegate.scaler.activation.pushes")
                .tag("active", "true")
                .description("StreamIsActive transitions pushed to KEDA").register(registry);
        deactivationPushes = Counter.builder("wakegate.scaler.activation.pushes")
                .tag("active", "false")
                .description("StreamIsActive transitions pushed to KEDA").register(registry);
        pushLatency = Timer.builder("wakegate.scaler.activation.push.latency")
                .description("From receiving the demand report that activated a route to "
                        + "handing true to an open StreamIsActive stream")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        expirations = Counter.builder("wakegate.scaler.interceptor.expirations")
                .description("Interceptors dropped after missing their reporting intervals")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void reportAccepted() {
        reports.increment();
    }

    public void reportStale() {
        staleReports.increment();
    }

    public void liveInterceptors(int count) {
        interceptors.set(count);
    }

    public void demandStreamOpened() {
        demandStreams.incrementAndGet();
    }

    public void demandStreamClosed() {
        demandStreams.decrementAndGet();
    }

    public void activityStreamOpened() {
        activityStreams.incrementAndGet();
    }

    public void activityStreamClosed() {
        activityStreams.decrementAndGet();
    }

    /** A transition was handed to a StreamIsActive stream. */
    public void pushed(boolean active) {
        (active ? activationPushes : deactivationPushes).increment();
    }

    public void pushLatency(long nanos) {
        pushLatency.record(Duration.ofNanos(Math.max(0, nanos)));
    }

    public void expired() {
        expirations.increment();
    }

    /**
     * Counts an error by kind: {@code invalid_report}, {@code invalid_metadata},
     * {@code demand_stream}, {@code activity_stream}, {@code internal}.
     */
    public void error(String kind) {
        registry.counter("wakegate.scaler.errors", "kind", kind).increment();
    }

    /** For tests and the admin page. */
    public long activationPushCount() {
        return (long) activationPushes.count();
    }

    public long pushLatencyCount() {
        return pushLatency.count();
    }

    public double pushLatencyMaxMillis() {
        return pushLatency.max(TimeUnit.MILLISECONDS);
    }
}
