package io.wakegate.controller.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.wakegate.controller.desired.Settings;
import io.wakegate.controller.kube.Cluster;
import io.wakegate.controller.kube.Writer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The controller as one object: informer caches, the reconciler and its loop. {@link #start()}
 * blocks until the caches have synced, then runs the first pass; the leader calls it.
 */
public final class Controller implements AutoCloseable {

  /** Timing of the loop. */
  public record Timing(Duration coalesce, Duration resync, Duration backoffBase, Duration backoffCap, Duration syncTimeout) {

    /** 100 ms coalescing, 5 min resync, failed writes retried after 1 s doubling up to 5 min, 2 min to sync. */
    public static final Timing DEFAULT = new Timing(Duration.ofMillis(100), Duration.ofMinutes(5),
        Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMinutes(2));
  }

  private final KubernetesClient client;
  private final List<String> namespaces;
  private final Settings settings;
  private final Timing timing;
  private final Clock clock;
  private final PassObserver observer;
  private volatile Cluster cluster;
  private volatile boolean synced;
  private volatile boolean closed;
  private ReconcileLoop loop;

  public Controller(KubernetesClient client, List<String> namespaces, Settings settings, Timing timing, Clock clock) {
    this(client, namespaces, settings, timing, clock, PassObserver.NONE);
  }

  /** As above; {@code observer} is told about every reconcile pass (metrics). */
  public Controller(KubernetesClient client, List<String> namespaces, Settings settings, Timing timing, Clock clock,
      PassObserver observer) {
    this.observer = observer;
    this.client = client;
    this.namespaces = List.copyOf(namespaces);
    this.settings = settings;
    this.timing = timing;
    this.clock = clock;
  }

  /**
   * Starts the informers, waits until their caches synced (returning early when {@link #close()}
   * is called meanwhile), then runs the first pass.
   */
  public void start() throws TimeoutException, InterruptedException {
    Reconciler[] reconciler = new Reconciler[1];
    ReconcileLoop started;
    Cluster cluster;
    synchronized (this) {
      if (closed) {
        return;
      }
      started = new ReconcileLoop(() -> reconciler[0].reconcileAll(), timing.coalesce(), timing.resync(),
          timing.backoffBase(), timing.backoffCap(), observer);
      loop = started;
      cluster = new Cluster(client, namespaces, settings.wakegateNamespace(), started::trigger);
      this.cluster = cluster;
    }
    reconciler[0] = new Reconciler(cluster, new Writer(client, clock), settings, clock, timing.backoffBase(),
        timing.backoffCap());
    cluster.awaitSynced(timing.syncTimeout());
    // The informers of KEDA's and Istio's resources start once their CRDs are seen; sync them
    // too before the first pass, which would otherwise only find them syncing.
    cluster.refreshOptionalApis();
    cluster.awaitSynced(timing.syncTimeout());
    synchronized (this) {
      if (closed) {
        return;
      }
      synced = true;
      started.start();
    }
  }

  /** Whether {@link #start()} has run and the informer caches have synced. Any thread. */
  public boolean synced() {
    return synced;
  }

  /** ModelHosts in the informer cache (what this controller manages); 0 before {@link #start()}. Any thread. */
  public int modelHosts() {
    Cluster c = cluster;
    return c == null || !synced ? 0 : c.modelHosts().size();
  }

  /** Stops the loop and the informers; safe from any thread, also while {@link #start()} waits. */
  @Override
  public void close() {
    closed = true;
    closeNow();
  }

  private synchronized void closeNow() {
    synced = false;
    if (loop != null) {
      loop.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }
}
