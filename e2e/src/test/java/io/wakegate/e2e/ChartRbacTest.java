package io.wakegate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wakegate.controller.crd.ColdStartSpec;
import io.wakegate.controller.crd.IstioSpec;
import io.wakegate.controller.crd.MatchSpec;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostSpec;
import io.wakegate.controller.crd.ReplicasSpec;
import io.wakegate.controller.crd.ScalingSpec;
import io.wakegate.controller.crd.TargetSpec;
import io.wakegate.controller.desired.Settings;
import io.wakegate.controller.kube.Leadership;
import io.wakegate.controller.reconcile.Controller;
import io.wakegate.controller.status.Conditions;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.config.ConfigLoader;
import io.wakegate.kubetest.ApiRecorder;
import io.wakegate.kubetest.KubeApi;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The controller and the interceptor with exactly the RBAC the Helm chart grants them — the
 * ServiceAccounts, Roles, ClusterRoles and bindings of {@code deploy/manifests/wakegate.yaml}
 * (the chart rendered with its defaults, kept equal to it by the deploy module) applied to a real
 * API server, and each component authenticated with a token of its ServiceAccount. They do the
 * work a cluster asks of them — campaign for and release the Lease, program a ModelHost, record
 * and repeat Events, delete generated objects, read the route table and EndpointSlices — and
 * the API server refuses none of it: any 403 fails the test.
 */
class ChartRbacTest {

    private static final String RELEASE_NAMESPACE = "wakegate";
    private static final Set<String> RBAC_KINDS = Set.of("ServiceAccount", "Role", "RoleBinding", "ClusterRole",
            "ClusterRoleBinding");

    private final KubernetesClient admin = KubeApi.shared().admin();

    @Test
    void theControllerAndTheInterceptorNeedNothingTheChartDoesNotGrant() throws Exception {
        installCrds();
        KubeApi.shared().ensureNamespace(RELEASE_NAMESPACE);
        applyChartRbac();
        String models = KubeApi.shared().newNamespace("rbac-models");
        model(models, "llama");

        ApiRecorder controllerCalls = new ApiRecorder();
        ApiRecorder interceptorCalls = new ApiRecorder();
        ExecutorService elector = Executors.newSingleThreadExecutor();
        try (KubernetesClient asController = KubeApi.shared().clientAs(RELEASE_NAMESPACE, "wakegate-controller",
                controllerCalls);
             KubernetesClient asInterceptor = KubeApi.shared().clientAs(RELEASE_NAMESPACE, "wakegate-interceptor",
                     interceptorCalls)) {
            // Leader election on the chart's Lease name, then the controller over all namespaces.
            CountDownLatch leading = new CountDownLatch(1);
            Leadership leadership = new Leadership(asController, RELEASE_NAMESPACE, "wakegate-controller", "rbac-test",
                    leading::countDown, () -> { }, elector);
            leadership.start();
            assertThat(leading.await(30, TimeUnit.SECONDS)).as("leading").isTrue();
            Controller controller = new Controller(asController, List.of(),
                    new Settings(RELEASE_NAMESPACE, "wakegate-scaler.wakegate:9090", "wakegate-interceptor", 8080,
                            "cluster.local"),
                    new Controller.Timing(Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofMillis(100),
                            Duration.ofSeconds(1), Duration.ofSeconds(30)),
                    Clock.systemUTC());
            try (InterceptorServer interceptor = InterceptorServer.start(ConfigLoader.parse("""
                    server: {bindAddress: 127.0.0.1, port: 0, adminBindAddress: 127.0.0.1, adminPort: 0}
                    shutdown: {readinessDelay: 0s, drainTimeout: 1s}
                    kubernetes:
                      routeTable: {namespace: %s}
                    """.formatted(RELEASE_NAMESPACE), "rbac.yaml"), null, asInterceptor)) {
                controller.start();
                admin.resources(ModelHost.class).inNamespace(models).resource(modelHost(models, "llama")).create();
                await().atMost(Duration.ofSeconds(30)).until(() -> Conditions.TRUE.equals(ready(models, "llama")));
                await().atMost(Duration.ofSeconds(30)).until(() -> interceptor.routes().current().routes()
                        .containsKey(models + "/llama"));

                // A target that goes, comes back and goes again: Events created, then repeated (updated).
                for (int i = 0; i < 2; i++) {
                    admin.apps().deployments().inNamespace(models).withName("llama").delete();
                    await().atMost(Duration.ofSeconds(30)).until(() -> "WorkloadNotFound".equals(reason(models, "llama")));
                    deployment(models, "llama");
                    await().atMost(Duration.ofSeconds(30)).until(() -> Conditions.TRUE.equals(ready(models, "llama")));
                }
                assertThat(admin.v1().events().inNamespace(models).list().getItems())
                        .anySatisfy(e -> assertThat(e.getCount()).isGreaterThan(1));

                // Removing the ModelHost: the controller deletes what it generated.
                admin.resources(ModelHost.class).inNamespace(models).withName("llama").delete();
                await().atMost(Duration.ofSeconds(30)).until(() -> admin.genericKubernetesResources("keda.sh/v1alpha1",
                        "ScaledObject").inNamespace(models).list().getItems().isEmpty());
                await().atMost(Duration.ofSeconds(30)).until(() -> !interceptor.routes().current().routes()
                        .containsKey(models + "/llama"));
            } finally {
                controller.close();
                leadership.stop();
            }
        } finally {
            elector.shutdownNow();
        }
        assertThat(controllerCalls.calls()).as("the controller's requests").isNotEmpty()
                .noneMatch(c -> c.code() == 403 || c.code() == 401);
        assertThat(interceptorCalls.calls()).as("the interceptor's requests").isNotEmpty()
                .noneMatch(c -> c.code() == 403 || c.code() == 401);
        assertThat(controllerCalls.calls()).as("the Lease was renewed or released")
                .anyMatch(c -> c.method().equals("PATCH") && c.path().contains("/leases/"));
    }

    /** The chart's ServiceAccounts and RBAC, as rendered into deploy/manifests/wakegate.yaml. */
    private void applyChartRbac() throws Exception {
        Path manifests = ScaleFromZeroTest.repositoryRoot().resolve("deploy/manifests/wakegate.yaml");
        List<HasMetadata> objects;
        try (InputStream in = Files.newInputStream(manifests)) {
            objects = admin.load(in).items();
        }
        List<HasMetadata> rbac = objects.stream().filter(o -> RBAC_KINDS.contains(o.getKind())).toList();
        assertThat(rbac).extracting(HasMetadata::getKind).contains("ClusterRole", "Role", "ServiceAccount");
        for (HasMetadata object : rbac) {
            admin.resource(object).createOr(existing -> existing.update());
        }
    }

    private static void installCrds() throws Exception {
        ScaleFromZeroTest.installCrds();
    }

    private void model(String namespace, String name) {
        deployment(namespace, name);
        admin.services().inNamespace(namespace).resource(new ServiceBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addToSelector("app", name).addNewPort().withName("http").withPort(8000).endPort()
                .endSpec().build()).create();
    }

    private void deployment(String namespace, String name) {
        admin.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(0).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("model").withImage("vllm").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
    }

    private static ModelHost modelHost(String namespace, String name) {
        ModelHost host = new ModelHost();
        host.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        host.setSpec(new ModelHostSpec(
                new MatchSpec(List.of(name + ".rbac.example.com"), List.of("/"), List.of()),
                new TargetSpec(null, name, null, new IntOrString("http")),
                new ReplicasSpec(0, 1), new ScalingSpec(null, null, null, null, null, null),
                new ColdStartSpec(null, null, null), 0, 120, ModelHostSpec.ForwardTo.Pods,
                new IstioSpec(true, List.of(), null)));
        return host;
    }

    private String ready(String namespace, String name) {
        var condition = condition(namespace, name);
        return condition == null ? null : condition.status();
    }

    private String reason(String namespace, String name) {
        var condition = condition(namespace, name);
        return condition == null ? null : condition.reason();
    }

    private io.wakegate.controller.crd.ModelHostCondition condition(String namespace, String name) {
        ModelHost host = admin.resources(ModelHost.class).inNamespace(namespace).withName(name).get();
        return host == null || host.getStatus() == null ? null
                : Conditions.find(host.getStatus().conditions(), Conditions.READY);
    }
}
