package io.wakegate.controller.reconcile;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs reconcile passes on one thread: soon after a change (changes arriving meanwhile coalesce
 * into one pass), every resync period, at the retry time a pass asks for (per-object back-off of
 * failed writes), and after a pass that threw or failed without one again with exponential
 * backoff (base doubling up to the cap, reset by a pass that succeeds). A pass that waits for a
 * cache runs again after the base delay. It never sleeps in a pass.
 *
 * <p>{@link #trigger()} may be called from any thread.
 */
public final class ReconcileLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReconcileLoop.class);

  /** How a pass ended, and when it wants to run again (null: no particular time). */
  public record Outcome(PassObserver.Result result, Duration retryIn) {

    public static Outcome of(PassObserver.Result result) {
      return new Outcome(result, null);
    }
  }

  private final Supplier<Outcome> pass;
  private final PassObserver observer;
  private final Duration coalesce;
  private final Duration resync;
  private final Duration backoffBase;
  private final Duration backoffCap;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile boolean started;
  private Duration nextBackoff;

  /**
   * @param pass one reconcile pass
   * @param coalesce delay between a change and its pass, so a burst of events makes one pass
   */
  public ReconcileLoop(Supplier<Outcome> pass, Duration coalesce, Duration resync, Duration backoffBase, Duration backoffCap) {
    this(pass, coalesce, resync, backoffBase, backoffCap, PassObserver.NONE);
  }

  /** As above; {@code observer} is told the result and duration of every pass. */
  public ReconcileLoop(Supplier<Outcome> pass, Duration coalesce, Duration resync, Duration backoffBase,
      Duration backoffCap, PassObserver observer) {
    this.pass = Objects.requireNonNull(pass, "pass");
    this.observer = Objects.requireNonNull(observer, "observer");
    this.coalesce = coalesce;
    this.resync = resync;
    this.backoffBase = backoffBase;
    this.backoffCap = backoffCap;
    this.nextBackoff = backoffBase;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "wakegate-reconcile");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts the resync timer and runs the first pass. */
  public void start() {
    started = true;
    executor.scheduleWithFixedDelay(this::trigger, resync.toMillis(), resync.toMillis(), TimeUnit.MILLISECONDS);
    trigger();
  }

  /** Asks for a pass; a no-op before {@link #start()} and while one is already pending. */
  public void trigger() {
    if (started && pending.compareAndSet(false, true) && !executor.isShutdown()) {
      executor.schedule(this::run, coalesce.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void run() {
    pending.set(false);
    Outcome outcome;
    long startNanos = System.nanoTime();
    try {
      outcome = pass.get();
    } catch (RuntimeException e) {
      log.error("reconcile pass failed", e);
      outcome = Outcome.of(PassObserver.Result.ERROR);
    }
    observer.passed(outcome.result(), Duration.ofNanos(System.nanoTime() - startNanos));
    Duration delay;
    switch (outcome.result()) {
      case SUCCESS -> {
        nextBackoff = backoffBase;
        delay = outcome.retryIn();
      }
      case WAITING -> delay = backoffBase;
      default -> {
        if (outcome.retryIn() != null) {
          delay = outcome.retryIn();
        } else {
          delay = nextBackoff;
          nextBackoff = nextBackoff.multipliedBy(2).compareTo(backoffCap) > 0 ? backoffCap : nextBackoff.multipliedBy(2);
        }
      }
    }
    if (delay != null && !executor.isShutdown()) {
      log.debug("next reconcile in {}", delay);
      executor.schedule(this::trigger, Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
