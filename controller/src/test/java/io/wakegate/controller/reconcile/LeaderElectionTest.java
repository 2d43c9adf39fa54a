package io.wakegate.controller.reconcile;

import static io.wakegate.controller.ModelHosts.modelHost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wakegate.controller.ModelHosts;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostSpec;
import io.wakegate.controller.crd.ReplicasSpec;
import io.wakegate.controller.desired.Names;
import io.wakegate.controller.kube.Apis;
import io.wakegate.kubetest.KubeApi;
import io.wakegate.controller.kube.Leadership;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two controller replicas campaigning for one Lease on a real API server, wired as
 * {@code ControllerMain} wires them (each its own client, Leadership and Controller; the
 * controller started off the elector's thread), with a short lease: only the leader reconciles,
 * and the other takes over when the leader releases the Lease or stops renewing it.
 */
class LeaderElectionTest {

  private static final KubernetesClient client = KubeApi.shared().admin();

  /** 2 s lease, 1.5 s renew deadline, 200 ms retry: a takeover after expiry within ~2.5 s. */
  private static final Leadership.Timing SHORT = new Leadership.Timing(Duration.ofSeconds(2),
      Duration.ofMillis(1500), Duration.ofMillis(200));

  private final List<Replica> replicas = new java.util.ArrayList<>();

  @BeforeAll
  static void crds() {
    KubeCluster.installAllCrds();
  }

  @AfterEach
  void stop() {
    replicas.forEach(Replica::close);
  }

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50));
  }

  /** One controller process: its own client, a Controller counting its passes, a Leadership. */
  private final class Replica implements AutoCloseable {
    final String identity;
    final KubernetesClient kube = KubeApi.shared().newAdminClient();
    final AtomicInteger passes = new AtomicInteger();
    final AtomicInteger startedLeading = new AtomicInteger();
    final AtomicBoolean stoppedLeading = new AtomicBoolean();
    final Controller controller;
    final ExecutorService elector = Executors.newSingleThreadExecutor(r -> new Thread(r, "leader-" + name()));
    final ExecutorService starter = Executors.newSingleThreadExecutor(r -> new Thread(r, "start-" + name()));
    final Leadership leadership;

    Replica(String identity, KubeCluster cluster, String lease) {
      this.identity = identity;
      controller = new Controller(kube, List.of(cluster.namespace), cluster.settings, KubeCluster.FAST,
          Clock.systemUTC(), (result, took) -> passes.incrementAndGet());
      leadership = new Leadership(kube, cluster.wakegateNamespace, lease, identity, SHORT,
          () -> {
            startedLeading.incrementAndGet();
            starter.execute(() -> {
              try {
                controller.start();
              } catch (Exception e) {
                throw new IllegalStateException(identity + " did not start", e);
              }
            });
          },
          () -> {
            // ControllerMain exits here; a test replica stops reconciling instead.
            stoppedLeading.set(true);
            controller.close();
          },
          elector);
      replicas.add(this);
    }

    private String name() {
      return identity;
    }

    Replica campaign() {
      leadership.start();
      return this;
    }

    /** A crash: no more renewals and no release, the reconciler gone. */
    void crash() {
      elector.shutdownNow();
      controller.close();
    }

    @Override
    public void close() {
      leadership.stop();
      controller.close();
      elector.shutdownNow();
      starter.shutdownNow();
      kube.close();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> specOf(GenericKubernetesResource object) {
    return (Map<String, Object>) object.getAdditionalProperties().get("spec");
  }

  private static String holder(KubeCluster cluster, String lease) {
    Lease l = client.leases().inNamespace(cluster.wakegateNamespace).withName(lease).get();
    return l == null ? null : l.getSpec().getHolderIdentity();
  }

  private KubeCluster seeded() {
    KubeCluster cluster = new KubeCluster("leader");
    cluster.deploymentAndService("llama", 8000);
    cluster.create(modelHost(cluster.namespace, "llama"));
    return cluster;
  }

  private static void setMaxReplicas(KubeCluster cluster, int max) {
    ModelHost host = cluster.modelHost("llama");
    ModelHostSpec s = host.getSpec();
    host.setSpec(new ModelHostSpec(s.match(), s.target(), new ReplicasSpec(s.replicas().min(), max), s.scaling(),
        s.coldStart(), s.maxConcurrencyPerEndpoint(), s.responseHeaderTimeoutSeconds(), s.forwardTo(), s.istio()));
    client.resources(ModelHost.class).inNamespace(cluster.namespace).resource(host).update();
  }

  /** The leader wrote the ScaledObject and the route; the follower never reconciled. */
  private void onlyTheLeaderReconciles(KubeCluster cluster, String lease, Replica leader, Replica follower) throws Exception {
    eventually().untilAsserted(() -> {
      assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama")).isNotNull();
      assertThat(cluster.routeTable()).isNotNull();
      assertThat(cluster.routeTable().getRoutesList()).extracting(r -> r.getName())
          .contains(cluster.namespace + "/llama");
    });
    assertThat(holder(cluster, lease)).isEqualTo(leader.identity);
    assertThat(client.genericKubernetesResources(Apis.SCALED_OBJECT.context()).inNamespace(cluster.namespace)
        .list().getItems()).hasSize(1);
    assertThat(client.configMaps().inNamespace(cluster.wakegateNamespace)
        .withField("metadata.name", Names.ROUTE_TABLE_CONFIGMAP).list().getItems()).hasSize(1);
    // A few lease periods: the follower keeps campaigning and never starts.
    Thread.sleep(SHORT.leaseDuration().toMillis());
    assertThat(leader.passes).hasPositiveValue();
    assertThat(leader.startedLeading).hasValue(1);
    assertThat(follower.startedLeading).hasValue(0);
    assertThat(follower.passes).hasValue(0);
    assertThat(follower.controller.synced()).isFalse();
  }

  private void followerTakesOverAndReconcilesAChange(KubeCluster cluster, String lease, Replica follower) {
    eventually().untilAsserted(() -> assertThat(holder(cluster, lease)).isEqualTo(follower.identity));
    eventually().until(follower.controller::synced);
    setMaxReplicas(cluster, 5);
    eventually().untilAsserted(() -> assertThat(specOf(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama")))
        .containsEntry("maxReplicaCount", 5));
    assertThat(follower.startedLeading).hasValue(1);
    assertThat(follower.passes).hasPositiveValue();
  }

  @Test
  void onlyTheLeaderWritesAndTheFollowerTakesOverWhenTheLeaderReleasesTheLease() throws Exception {
    KubeCluster cluster = seeded();
    String lease = "lease-release";
    Replica a = new Replica("a", cluster, lease).campaign();
    eventually().untilAsserted(() -> assertThat(holder(cluster, lease)).isEqualTo("a"));
    Replica b = new Replica("b", cluster, lease).campaign();

    onlyTheLeaderReconciles(cluster, lease, a, b);

    int passesOfA = a.passes.get();
    a.leadership.stop();
    eventually().untilAsserted(() -> assertThat(a.stoppedLeading).isTrue());
    followerTakesOverAndReconcilesAChange(cluster, lease, b);
    assertThat(a.passes).hasValue(passesOfA);
  }

  @Test
  void theFollowerTakesOverWhenTheLeaderStopsRenewing() throws Exception {
    KubeCluster cluster = seeded();
    String lease = "lease-expiry";
    Replica a = new Replica("a", cluster, lease).campaign();
    eventually().untilAsserted(() -> assertThat(holder(cluster, lease)).isEqualTo("a"));
    Replica b = new Replica("b", cluster, lease).campaign();

    onlyTheLeaderReconciles(cluster, lease, a, b);

    a.crash();
    assertThat(holder(cluster, lease)).as("no release on a crash").isEqualTo("a");
    followerTakesOverAndReconcilesAChange(cluster, lease, b);
    assertThat(a.stoppedLeading).as("a crashed replica is never told").isFalse();
  }
}
