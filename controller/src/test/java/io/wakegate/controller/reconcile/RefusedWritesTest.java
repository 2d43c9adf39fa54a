package io.wakegate.controller.reconcile;

import static io.wakegate.controller.ModelHosts.modelHost;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBindingBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.wakegate.controller.admin.ControllerMetrics;
import io.wakegate.controller.crd.ModelHostCondition;
import io.wakegate.controller.kube.Apis;
import io.wakegate.controller.status.Conditions;
import io.wakegate.kubetest.ApiRecorder;
import io.wakegate.kubetest.KubeApi;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Writes the API server refuses. KEDA's admission webhook refuses a second ScaledObject for a
 * workload; here a ValidatingAdmissionPolicy — the API server's own admission, no webhook needed —
 * refuses ScaledObjects the same way (403 with the policy's message), so the refusal is real.
 * Also: Events, one per transition; the failure counter after a clean start.
 */
class RefusedWritesTest extends ClusterTest {

  private static final String KEDA_TEXT = "the workload 'llama' of type 'apps/v1.Deployment' is already managed "
      + "by the ScaledObject 'users-own'";
  private String policy;

  @BeforeEach
  void policyName() {
    policy = "deny-scaledobjects-" + cluster.namespace;
  }

  @AfterEach
  void removePolicy() {
    admin.admissionRegistration().v1().validatingAdmissionPolicyBindings().withName(policy).delete();
    admin.admissionRegistration().v1().validatingAdmissionPolicies().withName(policy).delete();
  }

  /** Refuses every ScaledObject create and update in this test's namespace, as KEDA's webhook would. */
  private void refuseScaledObjects() {
    admin.admissionRegistration().v1().validatingAdmissionPolicies().resource(new ValidatingAdmissionPolicyBuilder()
        .withNewMetadata().withName(policy).endMetadata()
        .withNewSpec()
        .withFailurePolicy("Fail")
        .withNewMatchConstraints()
        .addNewResourceRule().withApiGroups("keda.sh").withApiVersions("*").withOperations("CREATE", "UPDATE")
        .withResources("scaledobjects").endResourceRule()
        .endMatchConstraints()
        .addNewValidation().withExpression("false").withMessage(KEDA_TEXT).withReason("Forbidden").endValidation()
        .endSpec().build()).create();
    admin.admissionRegistration().v1().validatingAdmissionPolicyBindings().resource(
        new ValidatingAdmissionPolicyBindingBuilder()
            .withNewMetadata().withName(policy).endMetadata()
            .withNewSpec().withPolicyName(policy).withValidationActions("Deny")
            .withNewMatchResources().withNewNamespaceSelector()
            .addToMatchLabels("kubernetes.io/metadata.name", cluster.namespace).endNamespaceSelector()
            .endMatchResources().endSpec().build()).create();
    // The server applies a new policy once it has compiled it: probe with dry-run creates.
    GenericKubernetesResource probe = cluster.foreignScaledObject("probe", "probe");
    eventually().until(() -> {
      try {
        admin.genericKubernetesResources(Apis.SCALED_OBJECT.context()).inNamespace(cluster.namespace)
            .resource(probe).dryRun().create();
        return false;
      } catch (KubernetesClientException e) {
        return e.getCode() == 403;
      }
    });
  }

  private static long creates(ApiRecorder recorder) {
    return recorder.calls().stream()
        .filter(c -> c.method().equals("POST") && c.path().endsWith("/scaledobjects"))
        .count();
  }

  @Test
  void aRefusedScaledObjectIsAConditionAndOneEventIsRetriedWithBackoffAndTheRouteIsNotHeld() throws Exception {
    refuseScaledObjects();
    cluster.deploymentAndService("llama", 8000);
    ApiRecorder recorder = new ApiRecorder();
    try (KubernetesClient controllerClient = KubeApi.shared().newAdminClient(recorder)) {
      cluster.create(modelHost(cluster.namespace, "llama"));
      cluster.start(controllerClient, PassObserver.NONE);

      eventually().untilAsserted(() -> {
        ModelHostCondition so = cluster.condition("llama", Conditions.SCALED_OBJECT_READY);
        assertThat(so).isNotNull();
        assertThat(so.status()).isEqualTo(Conditions.FALSE);
        assertThat(so.reason()).isEqualTo(Conditions.WRITE_REJECTED);
        assertThat(so.message()).contains("ScaledObject " + cluster.namespace + "/wakegate-llama not written (HTTP 403)")
            .contains(KEDA_TEXT);
        ModelHostCondition ready = cluster.condition("llama", Conditions.READY);
        assertThat(ready.reason()).isEqualTo(Conditions.WRITE_REJECTED);
        assertThat(ready.message()).contains(KEDA_TEXT);
      });
      assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama")).isNull();
      // The route is programmed, but not held for a wake that never comes.
      assertThat(cluster.routeTable().getRoutesList()).singleElement()
          .satisfies(r -> assertThat(r.getHold().getNotWakeable()).isTrue());

      // Retries back off: with 200 ms doubling to a 2 s cap, a few attempts in 6 s, not one per pass.
      long before = creates(recorder);
      Thread.sleep(6_000);
      long during = creates(recorder) - before;
      assertThat(during).as("refused creates in 6 s").isBetween(2L, 6L);
      List<Event> events = cluster.events(Conditions.WRITE_REJECTED);
      assertThat(events).as("one Event for the transition").singleElement()
          .satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains(KEDA_TEXT);
          });

      // The refusal goes away: the next retry writes it, and the route may hold again.
      admin.admissionRegistration().v1().validatingAdmissionPolicyBindings().withName(policy).delete();
      eventually().untilAsserted(() -> {
        assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama")).isNotNull();
        assertThat(cluster.statusOf("llama", Conditions.READY)).isEqualTo(Conditions.TRUE);
        assertThat(cluster.routeTable().getRoutes(0).getHold().getNotWakeable()).isFalse();
      });
      // Events are recorded after the status they go with: wait for it, but there is only one.
      eventually().untilAsserted(() -> assertThat(cluster.events("Programmed")).singleElement()
          .satisfies(e -> assertThat(e.getType()).isEqualTo("Normal")));
    }
  }

  @Test
  void aMissingTargetIsOneWarningEventHoweverManyPassesRun() throws Exception {
    cluster.create(modelHost(cluster.namespace, "llama"));
    cluster.start();
    eventually().until(() -> "WorkloadNotFound".equals(cluster.condition("llama", Conditions.READY) == null ? null
        : cluster.condition("llama", Conditions.READY).reason()));
    // More passes: label changes on the ModelHost trigger them; the resync runs every 2 s.
    for (int i = 0; i < 5; i++) {
      var host = cluster.modelHost("llama");
      host.getMetadata().setLabels(java.util.Map.of("touch", String.valueOf(i)));
      admin.resources(io.wakegate.controller.crd.ModelHost.class).inNamespace(cluster.namespace).resource(host).update();
      Thread.sleep(300);
    }
    Thread.sleep(2_500);
    assertThat(admin.v1().events().inNamespace(cluster.namespace).list().getItems())
        .as("every Event of the namespace").singleElement()
        .satisfies(e -> {
          assertThat(e.getReason()).isEqualTo("WorkloadNotFound");
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getCount()).isEqualTo(1);
        });
  }

  @Test
  void aStartWithEveryCrdInstalledCountsNoFailedPass() throws Exception {
    cluster.deploymentAndService("llama", 8000);
    cluster.create(modelHost(cluster.namespace, "llama"));
    ControllerMetrics metrics = new ControllerMetrics();
    cluster.start(admin, metrics);
    eventually().until(() -> Conditions.TRUE.equals(cluster.statusOf("llama", Conditions.READY)));
    // The pass that wrote Ready is counted when it returns.
    eventually().until(() -> !metrics.scrape().contains("wakegate_controller_reconciles_total{result=\"success\"} 0.0"));
    String scrape = metrics.scrape();
    assertThat(scrape).contains("wakegate_controller_reconciles_total{result=\"failure\"} 0.0")
        .contains("wakegate_controller_reconciles_total{result=\"error\"} 0.0")
        .doesNotContain("wakegate_controller_reconciles_total{result=\"success\"} 0.0");
  }
}
