package io.wakegate.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wakegate.controller.ModelHosts;
import io.wakegate.controller.SchemaValidator;
import io.wakegate.kubetest.ReferenceCrds;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostCondition;
import io.wakegate.controller.desired.Names;
import io.wakegate.controller.desired.Routes;
import io.wakegate.controller.kube.Apis;
import io.wakegate.controller.status.Conditions;
import io.wakegate.proto.routes.RouteTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Helpers for reconciler tests on the Fabric8 CRUD mock server: seeding, a running controller, reads. */
final class MockCluster implements AutoCloseable {

  static final Controller.Timing FAST = new Controller.Timing(Duration.ofMillis(10), Duration.ofSeconds(2),
      Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(20));

  /** The mock web server logs every request through java.util.logging; keep a strong reference to quiet it. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  final KubernetesClient client;
  final String namespace;
  private Controller controller;

  MockCluster(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** The ModelHost CRD as generated into deploy/crds (the mock then treats status as a subresource). */
  static void installModelHostCrd(KubernetesClient client) throws IOException {
    Path generated = Path.of("").toAbsolutePath().getParent().resolve("deploy/crds/modelhosts.wakegate.io-v1.yml");
    assertThat(generated).as("generated CRD (crd-generator-maven-plugin)").isRegularFile();
    try (InputStream in = Files.newInputStream(generated)) {
      client.apiextensions().v1().customResourceDefinitions().load(in).create();
    }
  }

  /** The ModelHost CRD and the reference KEDA and Istio CRDs: a cluster with everything installed. */
  static void installAllCrds(KubernetesClient client) throws IOException {
    installModelHostCrd(client);
    installRefCrd(client, ReferenceCrds.SCALED_OBJECT);
    installRefCrd(client, ReferenceCrds.VIRTUAL_SERVICE);
  }

  static void installRefCrd(KubernetesClient client, ReferenceCrds file) throws IOException {
    try (InputStream in = file.open()) {
      CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  void start() throws Exception {
    controller = new Controller(client, List.of(namespace), ModelHosts.SETTINGS, FAST, Clock.systemUTC());
    controller.start();
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

  ModelHost create(ModelHost host) {
    host.getMetadata().setUid(null);
    host.getMetadata().setGeneration(null);
    return client.resources(ModelHost.class).inNamespace(namespace).resource(host).create();
  }

  ModelHost modelHost(String name) {
    return client.resources(ModelHost.class).inNamespace(namespace).withName(name).get();
  }

  ModelHostCondition condition(String name, String type) {
    ModelHost host = modelHost(name);
    return host == null || host.getStatus() == null ? null : Conditions.find(host.getStatus().conditions(), type);
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
    var cm = client.configMaps().inNamespace(ModelHosts.SETTINGS.wakegateNamespace()).withName(Names.ROUTE_TABLE_CONFIGMAP).get();
    return cm == null ? null : Routes.fromJson(cm.getData().get(Names.ROUTE_TABLE_KEY));
  }

  @Override
  public void close() {
    if (controller != null) {
      controller.close();
    }
  }
}
