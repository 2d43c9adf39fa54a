package io.wakegate.controller.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election with a coordination.k8s.io Lease, so two controller replicas can run and only
 * one writes. {@code onStart} runs when this replica becomes leader; {@code onStop} when it stops
 * being leader (the caller should then exit: its caches and loop assume sole ownership).
 */
public final class Leadership {

  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  public static final Duration LEASE_DURATION = Duration.ofSeconds(15);
  public static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
  public static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

  /**
   * Lease timing: a follower takes over {@code leaseDuration} after the last renewal; the leader
   * gives up when it could not renew for {@code renewDeadline}; every attempt is
   * {@code retryPeriod} apart (Fabric8 checks leaseDuration > renewDeadline > 1.2 x retryPeriod).
   */
  public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

    /** What the controller runs with: 15 s lease, 10 s renew deadline, 2 s retry. */
    public static final Timing DEFAULT = new Timing(LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD);
  }

  private final LeaderElector elector;
  private CompletableFuture<?> running;

  public Leadership(KubernetesClient client, String namespace, String leaseName, String identity,
      Runnable onStart, Runnable onStop, Executor executor) {
    this(client, namespace, leaseName, identity, Timing.DEFAULT, onStart, onStop, executor);
  }

  /**
   * @param onStart runs on {@code executor} when this replica becomes leader
   * @param onStop runs when it stops being leader (lost the Lease, or {@link #stop()})
   */
  public Leadership(KubernetesClient client, String namespace, String leaseName, String identity, Timing timing,
      Runnable onStart, Runnable onStop, Executor executor) {
    this.elector = new LeaderElectorBuilder(client, executor)
        .withConfig(new LeaderElectionConfigBuilder()
            .withName(leaseName)
            .withLock(new LeaseLock(namespace, leaseName, identity))
            .withLeaseDuration(timing.leaseDuration())
            .withRenewDeadline(timing.renewDeadline())
            .withRetryPeriod(timing.retryPeriod())
            .withReleaseOnCancel(true)
            .withLeaderCallbacks(new LeaderCallbacks(onStart, onStop,
                leader -> log.info("leader of {}/{} is now {}", namespace, leaseName, leader)))
            .build())
        .build();
  }

  /** Starts campaigning; the future completes when leadership ends or is cancelled. */
  public synchronized CompletableFuture<?> start() {
    running = elector.start();
    return running;
  }

  /** Stops campaigning; a leader releases the Lease so a follower takes over without waiting for it to expire. */
  public synchronized void stop() {
    if (running != null) {
      running.cancel(true);
    }
  }
}
