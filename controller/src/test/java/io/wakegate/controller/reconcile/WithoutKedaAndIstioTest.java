package io.wakegate.controller.reconcile;

import static io.wakegate.controller.ModelHosts.modelHost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.wakegate.controller.SchemaValidator;
import io.wakegate.controller.crd.ModelHostCondition;
import io.wakegate.controller.kube.Apis;
import io.wakegate.controller.status.Conditions;
import io.wakegate.proto.routes.Route;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A cluster without KEDA's and Istio's CRDs: clear conditions, the route table still works, KEDA arriving later is picked up. */
@EnableKubernetesMockClient(crud = true)
class WithoutKedaAndIstioTest {

  static KubernetesMockServer server;
  static KubernetesClient client;

  @Test
  void missingCrdsAreConditionsAndTheRouteIsStillProgrammed() throws Exception {
    MockCluster.installModelHostCrd(client);
    try (MockCluster cluster = new MockCluster(client, "models")) {
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
      assertThat(cluster.routeTable().getRoutesList()).extracting(Route::getName).containsExactly("models/llama");

      MockCluster.installRefCrd(client, io.wakegate.kubetest.ReferenceCrds.SCALED_OBJECT);
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama")).isNotNull();
        assertThat(cluster.condition("llama", Conditions.SCALED_OBJECT_READY).reason()).isEqualTo(Conditions.AWAITING_KEDA);
        assertThat(cluster.condition("llama", Conditions.READY).reason()).isEqualTo(Conditions.ISTIO_NOT_INSTALLED);
      });
    }
  }
}
