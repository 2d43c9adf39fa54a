package io.wakegate.controller.reconcile;

import static io.wakegate.controller.ModelHosts.modelHost;
import static io.wakegate.controller.ModelHosts.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostCondition;
import io.wakegate.controller.kube.Apis;
import io.wakegate.controller.status.Conditions;
import io.wakegate.kubetest.KubeApi;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who scales a workload. KEDA allows one ScaledObject per workload, and an HPA fights one: the
 * controller detects a foreign ScaledObject or HPA before writing (so the condition appears even
 * without KEDA's webhook), gives a host-conflict loser and a second ModelHost of the same workload
 * no ScaledObject, and marks their routes not wakeable. And with kube-controller-manager's
 * garbage collector: a foreground deletion of a ModelHost waits for its generated objects.
 */
class ScalingOwnershipTest extends ClusterTest {

  private void assertScaledByOther(String host, String... named) throws Exception {
    eventually().untilAsserted(() -> {
      ModelHostCondition so = cluster.condition(host, Conditions.SCALED_OBJECT_READY);
      assertThat(so).isNotNull();
      assertThat(so.reason()).isEqualTo(Conditions.WORKLOAD_SCALED_BY_OTHER);
      assertThat(so.message()).contains(named);
      assertThat(cluster.condition(host, Conditions.READY).reason()).isEqualTo(Conditions.WORKLOAD_SCALED_BY_OTHER);
      assertThat(cluster.route(host)).isNotNull();
      assertThat(cluster.route(host).getHold().getNotWakeable()).isTrue();
    });
    assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-" + host)).isNull();
    assertThat(cluster.events(Conditions.WORKLOAD_SCALED_BY_OTHER)).hasSize(1);
  }

  @Test
  void aWorkloadAnotherScaledObjectScalesGetsNoScaledObjectUntilItIsGone() throws Exception {
    cluster.deploymentAndService("llama", 8000);
    GenericKubernetesResource users = cluster.foreignScaledObject("users-own", "llama");
    admin.genericKubernetesResources(Apis.SCALED_OBJECT.context()).inNamespace(cluster.namespace).resource(users).create();
    cluster.create(modelHost(cluster.namespace, "llama"));
    cluster.start();

    assertScaledByOther("llama", "ScaledObject " + cluster.namespace + "/users-own");

    admin.genericKubernetesResources(Apis.SCALED_OBJECT.context()).inNamespace(cluster.namespace).withName("users-own")
        .delete();
    eventually().untilAsserted(() -> {
      assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama")).isNotNull();
      assertThat(cluster.statusOf("llama", Conditions.READY)).isEqualTo(Conditions.TRUE);
      assertThat(cluster.route("llama").getHold().getNotWakeable()).isFalse();
    });
  }

  @Test
  void aWorkloadAnHpaScalesGetsNoScaledObject() throws Exception {
    cluster.deploymentAndService("llama", 8000);
    admin.autoscaling().v2().horizontalPodAutoscalers().inNamespace(cluster.namespace).resource(
        new HorizontalPodAutoscalerBuilder().withNewMetadata().withName("llama-hpa").endMetadata()
            .withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName("llama")
            .endScaleTargetRef().withMinReplicas(1).withMaxReplicas(3).endSpec().build()).create();
    cluster.create(modelHost(cluster.namespace, "llama"));
    cluster.start();

    assertScaledByOther("llama", "HorizontalPodAutoscaler " + cluster.namespace + "/llama-hpa");
  }

  @Test
  void onlyTheOldestModelHostOfAWorkloadScalesIt() throws Exception {
    cluster.deploymentAndService("llama", 8000);
    cluster.createOlder(modelHost(cluster.namespace, "first", spec(List.of("first.example.com"), List.of("/"), "llama")));
    cluster.create(modelHost(cluster.namespace, "second", spec(List.of("second.example.com"), List.of("/"), "llama")));
    // A host-conflict loser on the same workload: no route, no ScaledObject.
    cluster.create(modelHost(cluster.namespace, "third", spec(List.of("first.example.com"), List.of("/"), "llama")));
    cluster.start();

    assertScaledByOther("second", "ModelHost " + cluster.namespace + "/first");
    eventually().untilAsserted(() -> {
      assertThat(cluster.statusOf("first", Conditions.READY)).isEqualTo(Conditions.TRUE);
      assertThat(cluster.condition("third", Conditions.SCALED_OBJECT_READY).reason()).isEqualTo(Conditions.HOST_CONFLICT);
      assertThat(cluster.statusOf("third", Conditions.CONFLICT)).isEqualTo(Conditions.TRUE);
    });
    assertThat(admin.genericKubernetesResources(Apis.SCALED_OBJECT.context()).inNamespace(cluster.namespace).list()
        .getItems()).extracting(o -> o.getMetadata().getName()).containsExactly("wakegate-first");
    assertThat(cluster.route("third")).isNull();
    assertThat(cluster.route("first").getHold().getNotWakeable()).isFalse();
  }

  @Test
  void aForegroundDeletionOfAModelHostWaitsForItsGeneratedObjects() throws Exception {
    KubeApi.shared().controllerManager();
    cluster.deploymentAndService("llama", 8000);
    cluster.create(modelHost(cluster.namespace, "llama"));
    cluster.start();
    eventually().until(() -> Conditions.TRUE.equals(cluster.statusOf("llama", Conditions.READY)));
    GenericKubernetesResource so = cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama");
    assertThat(so.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getBlockOwnerDeletion()).isTrue());
    // Only the garbage collector may delete them now.
    cluster.stopController();

    admin.resources(ModelHost.class).inNamespace(cluster.namespace).withName("llama")
        .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
        .until(() -> cluster.modelHost("llama") == null);
    assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama")).as("deleted before its owner").isNull();
    assertThat(cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-llama")).as("deleted before its owner").isNull();
  }
}
