package io.wakegate.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wakegate.controller.GeneratedCrd;
import io.wakegate.controller.SchemaValidator;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostCondition;
import io.wakegate.controller.desired.Names;
import io.wakegate.controller.desired.Routes;
import io.wakegate.controller.desired.Settings;
import io.wakegate.controller.kube.Apis;
import io.wakegate.controller.status.Conditions;
import io.wakegate.kubetest.KubeApi;
import io.wakegate.kubetest.ReferenceCrds;
import io.wakegate.proto.routes.Route;
import io.wakegate.proto.routes.RouteTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One test's slice of the real API server ({@link KubeApi}): a namespace for its models and one
 * for Wakegate (route table, Lease), a controller watching them, and reads of what it wrote.
 * Every ScaledObject and VirtualService read through {@link #stored} is also checked against the
 * reference CRD schema made strict (the server prunes unknown fields silently).
 */
final class KubeCluster implements AutoCloseable {

  static final Controller.Timing FAST = new Controller.Timing(Duration.ofMillis(10), Duration.ofSeconds(2),
      Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(30));

  final KubernetesClient client = KubeApi.shared().admin();
  final String namespace;
  final String wakegateNamespace;
  final Settings settings;
  private Controller controller;

  KubeCluster(String prefix) {
    namespace = KubeApi.shared().newNamespace(prefix);
    wakegateNamespace = KubeApi.shared().newNamespace(prefix + "-wakegate");
    settings = new Settings(wakegateNamespace, "wakegate-scaler." + wakegateNamespace + ":9090", "wakegate-interceptor",
        8080, "cluster.local");
  }

  /** The ModelHost CRD as generated into deploy/crds and the reference KEDA and Istio CRDs. */
  static void installAllCrds() {
    KubernetesClient admin = KubeApi.shared().admin();
    GeneratedCrd.install(admin);
    ReferenceCrds.SCALED_OBJECT.install(admin);
    ReferenceCrds.VIRTUAL_SERVICE.install(admin);
  }

  /** Starts a controller watching this test's namespace, as the cluster administrator. */
  Controller start() throws Exception {
    return start(client, PassObserver.NONE);
  }

  /** Starts a controller on {@code as} (a least-privilege client, say), telling {@code observer} of every pass. */
  Controller start(KubernetesClient as, PassObserver observer) throws Exception {
    controller = new Controller(as, List.of(namespace), settings, FAST, Clock.systemUTC(), observer);
    controller.start();
    return controller;
  }

  void stopController() {
    if (controller != null) {
      controller.close();
      controller = null;
    }
  }

  void deploymentAndService(String name, int port) {
    client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withReplicas(0).withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("model").withImage("vllm").endContainer().endSpec().endTemplate()
        .endSpec().build()).create();
    client.services().inNamespace(namespace).resource(new ServiceBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewSpec().addToSelector("app", name).addNewPort().withName("http").withPort(port).endPort().endSpec()
        .build()).create();
  }

  /** A ScaledObject of someone else's (a CPU trigger) that scales {@code deployment}; not created. */
  GenericKubernetesResource foreignScaledObject(String name, String deployment) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("keda.sh/v1alpha1").withKind("ScaledObject")
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .addToAdditionalProperties("spec", Map.of("scaleTargetRef", Map.of("name", deployment),
            "triggers", List.of(Map.of("type", "cpu", "metadata", Map.of("value", "50")))))
        .build();
  }

  ModelHost create(ModelHost host) {
    host.getMetadata().setUid(null);
    host.getMetadata().setGeneration(null);
    host.getMetadata().setNamespace(namespace);
    return client.resources(ModelHost.class).inNamespace(namespace).resource(host).create();
  }

  /**
   * Creates {@code host}, then waits until the clock is past its creationTimestamp (whole
   * seconds), so every ModelHost created afterwards is younger: the conflict winner is the older.
   */
  ModelHost createOlder(ModelHost host) {
    ModelHost created = create(host);
    Instant at = Instant.parse(created.getMetadata().getCreationTimestamp());
    await().atMost(Duration.ofSeconds(3)).until(() -> Instant.now().getEpochSecond() > at.getEpochSecond());
    return created;
  }

  ModelHost modelHost(String name) {
    return client.resources(ModelHost.class).inNamespace(namespace).withName(name).get();
  }

  ModelHostCondition condition(String name, String type) {
    ModelHost host = modelHost(name);
    return host == null || host.getStatus() == null ? null : Conditions.find(host.getStatus().conditions(), type);
  }

  String statusOf(String name, String type) {
    ModelHostCondition c = condition(name, type);
    return c == null ? null : c.status();
  }

  /** The stored object, validated against the reference CRD schema whenever it exists. */
  GenericKubernetesResource stored(Apis api, String name) {
    GenericKubernetesResource object = client.genericKubernetesResources(api.context()).inNamespace(namespace)
        .withName(name).get();
    if (object != null) {
      SchemaValidator.assertValid(object);
    }
    return object;
  }

  RouteTable routeTable() throws Exception {
    var cm = client.configMaps().inNamespace(wakegateNamespace).withName(Names.ROUTE_TABLE_CONFIGMAP).get();
    assertThat(cm == null || cm.getData() != null).isTrue();
    return cm == null ? RouteTable.getDefaultInstance() : Routes.fromJson(cm.getData().get(Names.ROUTE_TABLE_KEY));
  }

  /** The route of ModelHost {@code name} in the route table, or null. */
  Route route(String name) throws Exception {
    return routeTable().getRoutesList().stream()
        .filter(r -> r.getName().equals(namespace + "/" + name)).findFirst().orElse(null);
  }

  /** Events in this test's namespace with {@code reason}. */
  List<Event> events(String reason) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  @Override
  public void close() {
    stopController();
  }
}
