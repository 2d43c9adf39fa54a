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

  private final LeaderElector elector;

  public Leadership(KubernetesClient client, String namespace, String leaseName, String identity,
      Runnable onStart, Runnable onStop, Executor executor) {
    this.elector = new LeaderElectorBuilder(client, executor)
        .withConfig(new LeaderElectionConfigBuilder()
            .withName(leaseName)
            .withLock(new LeaseLock(namespace, leaseName, identity))
            .withLeaseDuration(LEASE_DURATION)
            .withRenewDeadline(RENEW_DEADLINE)
            .withRetryPeriod(RETRY_PERIOD)
            .withReleaseOnCancel(true)
            .withLeaderCallbacks(new LeaderCallbacks(onStart, onStop,
                leader -> log.info("leader of {}/{} is now {}", namespace, leaseName, leader)))
            .build())
        .build();
  }

  /** Starts campaigning; the future completes when leadership ends or is cancelled. */
  public CompletableFuture<?> start() {
    return elector.start();
  }
}
