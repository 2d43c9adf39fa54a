package io.wakegate.controller.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wakegate.controller.reconcile.PassObserver;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * The controller's meters, rendered by {@code /metrics}:
 *
 * <ul>
 *   <li>{@code wakegate_controller_reconciles_total{result="success|failure|error"}}: passes;</li>
 *   <li>{@code wakegate_controller_reconcile_duration_seconds}: their duration (summary with max);</li>
 *   <li>{@code wakegate_controller_leader}: 1 while this replica reconciles (leader, or leader
 *       election off), else 0;</li>
 *   <li>{@code wakegate_controller_modelhosts}: ModelHosts in this replica's cache (0 on a follower).</li>
 * </ul>
 *
 * <p>{@link #passed} is called on the reconcile thread; {@link #leader(boolean)} from the
 * leader-election thread; scrapes from the admin thread. Everything here is thread-safe.
 */
public final class ControllerMetrics implements PassObserver {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<Result, Counter> passes = new EnumMap<>(Result.class);
  private final Timer duration;
  private final AtomicBoolean leader = new AtomicBoolean();

  public ControllerMetrics() {
    for (Result result : Result.values()) {
      passes.put(result, Counter.builder("wakegate.controller.reconciles")
          .description("Reconcile passes by result")
          .tag("result", result.name().toLowerCase(Locale.ROOT))
          .register(registry));
    }
    duration = Timer.builder("wakegate.controller.reconcile.duration")
        .description("Duration of a reconcile pass")
        .register(registry);
    Gauge.builder("wakegate.controller.leader", leader, l -> l.get() ? 1 : 0)
        .description("1 while this replica holds the Lease (or runs without leader election), else 0")
        .register(registry);
  }

  /** Registers the ModelHosts gauge; {@code count} is read on each scrape, from the admin thread. Call once. */
  public void modelHosts(IntSupplier count) {
    Gauge.builder("wakegate.controller.modelhosts", count, IntSupplier::getAsInt)
        .description("ModelHosts this replica manages (in its informer cache; 0 on a follower)")
        .strongReference(true) // a gauge holds its object weakly; a method reference would be collected (NaN)
        .register(registry);
  }

  @Override
  public void passed(Result result, Duration took) {
    passes.get(result).increment();
    duration.record(took);
  }

  public void leader(boolean isLeader) {
    leader.set(isLeader);
  }

  public boolean leader() {
    return leader.get();
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
