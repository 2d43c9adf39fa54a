package io.wakegate.controller.reconcile;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs reconcile passes on one thread: soon after a change (changes arriving meanwhile coalesce
 * into one pass), every resync period, and after a failed pass again with exponential backoff
 * (base doubling up to the cap, reset by a pass that succeeds). It never sleeps in a pass.
 *
 * <p>{@link #trigger()} may be called from any thread.
 */
public final class ReconcileLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReconcileLoop.class);

  private final BooleanSupplier pass;
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
   * @param pass one reconcile pass, true on success
   * @param coalesce delay between a change and its pass, so a burst of events makes one pass
   */
  public ReconcileLoop(BooleanSupplier pass, Duration coalesce, Duration resync, Duration backoffBase, Duration backoffCap) {
    this(pass, coalesce, resync, backoffBase, backoffCap, PassObserver.NONE);
  }

  /** As above; {@code observer} is told the result and duration of every pass. */
  public ReconcileLoop(BooleanSupplier pass, Duration coalesce, Duration resync, Duration backoffBase, Duration backoffCap,
      PassObserver observer) {
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
    boolean ok;
    PassObserver.Result result;
    long startNanos = System.nanoTime();
    try {
      ok = pass.getAsBoolean();
      result = ok ? PassObserver.Result.SUCCESS : PassObserver.Result.FAILURE;
    } catch (RuntimeException e) {
      log.error("reconcile pass failed", e);
      ok = false;
      result = PassObserver.Result.ERROR;
    }
    observer.passed(result, Duration.ofNanos(System.nanoTime() - startNanos));
    if (ok) {
      nextBackoff = backoffBase;
      return;
    }
    Duration delay = nextBackoff;
    nextBackoff = nextBackoff.multipliedBy(2).compareTo(backoffCap) > 0 ? backoffCap : nextBackoff.multipliedBy(2);
    log.debug("retrying reconcile in {}", delay);
    if (!executor.isShutdown()) {
      executor.schedule(this::trigger, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
