package io.wakegate.controller.reconcile;

import static io.wakegate.controller.ModelHosts.modelHost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.wakegate.controller.GeneratedCrd;
import io.wakegate.controller.crd.ModelHostCondition;
import io.wakegate.controller.kube.Apis;
import io.wakegate.controller.status.Conditions;
import io.wakegate.kubetest.KubeApi;
import io.wakegate.kubetest.ReferenceCrds;
import io.wakegate.proto.routes.Route;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cluster without KEDA's and Istio's CRDs (removed from the shared API server for this test and
 * restored after it): clear conditions, the route table still works — marked not wakeable, since
 * nothing can scale the workload from zero — and KEDA arriving later is picked up.
 */
class WithoutKedaAndIstioTest {

  private static final KubernetesClient client = KubeApi.shared().admin();

  @BeforeAll
  static void withoutKedaAndIstio() {
    GeneratedCrd.install(client);
    for (ReferenceCrds crd : ReferenceCrds.values()) {
      client.apiextensions().v1().customResourceDefinitions().withName(crd.crdName()).delete();
      client.apiextensions().v1().customResourceDefinitions().withName(crd.crdName())
          .waitUntilCondition(c -> c == null, 60, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void restore() {
    KubeCluster.installAllCrds();
  }

  @Test
  void missingCrdsAreConditionsAndTheRouteIsStillProgrammed() throws Exception {
    try (KubeCluster cluster = new KubeCluster("nokeda")) {
      cluster.deploymentAndService("llama", 8000);
      cluster.create(modelHost(cluster.namespace, "llama"));
      cluster.start();

      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        ModelHostCondition keda = cluster.condition("llama", Conditions.SCALED_OBJECT_READY);
        assertThat(keda).isNotNull();
        assertThat(keda.reason()).isEqualTo(Conditions.KEDA_NOT_INSTALLED);
        assertThat(keda.status()).isEqualTo(Conditions.FALSE);
        ModelHostCondition istio = cluster.condition("llama", Conditions.VIRTUAL_SERVICE_PROGRAMMED);
        assertThat(istio.reason()).isEqualTo(Conditions.ISTIO_NOT_INSTALLED);
        assertThat(cluster.condition("llama", Conditions.ROUTES_PROGRAMMED).status()).isEqualTo(Conditions.TRUE);
        assertThat(cluster.condition("llama", Conditions.READY).reason()).isEqualTo(Conditions.KEDA_NOT_INSTALLED);
      });
      assertThat(cluster.routeTable().getRoutesList()).extracting(Route::getName)
          .containsExactly(cluster.namespace + "/llama");
      assertThat(cluster.routeTable().getRoutes(0).getHold().getNotWakeable()).as("no ScaledObject: not wakeable").isTrue();

      ReferenceCrds.SCALED_OBJECT.install(client);
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama")).isNotNull();
        assertThat(cluster.condition("llama", Conditions.SCALED_OBJECT_READY).reason()).isEqualTo(Conditions.AWAITING_KEDA);
        assertThat(cluster.condition("llama", Conditions.READY).reason()).isEqualTo(Conditions.ISTIO_NOT_INSTALLED);
        assertThat(cluster.routeTable().getRoutes(0).getHold().getNotWakeable()).isFalse();
      });
    }
  }
}
