package io.wakegate.controller.reconcile;

import static io.wakegate.controller.ModelHosts.modelHost;
import static io.wakegate.controller.ModelHosts.spec;
import static io.wakegate.controller.ModelHosts.withColdStart;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.wakegate.controller.crd.ColdStartSpec;
import io.wakegate.controller.crd.FailoverSpec;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostCondition;
import io.wakegate.controller.crd.ModelHostSpec;
import io.wakegate.controller.crd.ReplicasSpec;
import io.wakegate.controller.crd.StreamKeepAliveSpec;
import io.wakegate.controller.crd.WaitingPageSpec;
import io.wakegate.controller.desired.Names;
import io.wakegate.controller.kube.Apis;
import io.wakegate.controller.status.Conditions;
import io.wakegate.proto.routes.Failover;
import io.wakegate.proto.routes.Hold;
import io.wakegate.proto.routes.Route;
import io.wakegate.proto.routes.StreamKeepAlive;
import io.wakegate.proto.routes.WaitingPage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The controller against a real API server with the ModelHost, KEDA and Istio CRDs installed: the
 * server validates every object it writes. One namespace pair per test.
 */
class ReconcilerTest extends ClusterTest {

  private static final List<String> SHARED = List.of("shared.example.com");
  private static final List<String> V1 = List.of("/v1");

  private final KubernetesClient client = admin;

  @SuppressWarnings("unchecked")
  private static Map<String, Object> specOf(GenericKubernetesResource object) {
    return (Map<String, Object>) object.getAdditionalProperties().get("spec");
  }

  @Test
  void createsScaledObjectVirtualServiceAndRouteThenReportsReady() throws Exception {
    cluster.deploymentAndService("llama", 8000);
    cluster.create(modelHost(cluster.namespace, "llama"));
    cluster.start();

    eventually().untilAsserted(() -> {
      ModelHostCondition ready = cluster.condition("llama", Conditions.READY);
      assertThat(ready).isNotNull();
      assertThat(ready.status()).as(ready.toString()).isEqualTo(Conditions.TRUE);
    });
    ModelHost host = cluster.modelHost("llama");
    assertThat(host.getStatus().observedGeneration()).isEqualTo(host.getMetadata().getGeneration());
    assertThat(host.getStatus().conditions()).extracting(ModelHostCondition::type)
        .containsExactlyElementsOf(Conditions.TYPES);
    assertThat(Conditions.find(host.getStatus().conditions(), Conditions.CONFLICT).status()).isEqualTo(Conditions.FALSE);
    assertThat(Conditions.find(host.getStatus().conditions(), Conditions.SCALED_OBJECT_READY).reason())
        .isEqualTo(Conditions.AWAITING_KEDA);
    assertThat(host.getStatus().replicas()).isZero();

    GenericKubernetesResource so = cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama");
    assertThat(so).isNotNull();
    assertThat(so.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(host.getMetadata().getUid()));
    assertThat(specOf(so)).containsEntry("maxReplicaCount", 3);
    GenericKubernetesResource vs = cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-llama");
    assertThat(vs).isNotNull();
    assertThat(vs.getMetadata().getOwnerReferences()).hasSize(1);

    assertThat(cluster.routeTable().getRoutesList()).extracting(Route::getName).contains(cluster.namespace + "/llama");
    Route route = cluster.route("llama");
    assertThat(route.getBackend().getPortNumber()).isEqualTo(8000);
    assertThat(route.getBackend().getPortName()).isEqualTo("http");

    assertThat(client.apps().deployments().inNamespace(cluster.namespace).withName("llama").get().getSpec().getReplicas())
        .as("replicas belong to KEDA").isZero();
    // The Event is recorded after the status it goes with.
    eventually().untilAsserted(() -> assertThat(events("Programmed")).isNotEmpty());
  }

  @Test
  void specChangeUpdatesTheObjectsAndKeepsTransitionTimes() throws Exception {
    cluster.deploymentAndService("llama", 8000);
    cluster.create(modelHost(cluster.namespace, "llama"));
    cluster.start();
    eventually().until(() -> Conditions.TRUE.equals(statusOf("llama", Conditions.READY)));
    String readySince = cluster.condition("llama", Conditions.READY).lastTransitionTime();
    long versionBefore = cluster.routeTable().getVersion();

    ModelHost host = cluster.modelHost("llama");
    ModelHostSpec s = host.getSpec();
    host.setSpec(new ModelHostSpec(s.match().hosts().isEmpty() ? s.match() : new io.wakegate.controller.crd.MatchSpec(
        List.of("llama2.example.com"), List.of("/v1"), List.of()), s.target(), new ReplicasSpec(1, 7), s.scaling(),
        s.coldStart(), s.maxConcurrencyPerEndpoint(), s.responseHeaderTimeoutSeconds(), s.forwardTo(), s.istio()));
    client.resources(ModelHost.class).inNamespace(cluster.namespace).resource(host).update();

    eventually().untilAsserted(() -> {
      GenericKubernetesResource so = cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama");
      assertThat(specOf(so)).containsEntry("minReplicaCount", 1).containsEntry("maxReplicaCount", 7);
      GenericKubernetesResource vs = cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-llama");
      assertThat((List<String>) specOf(vs).get("hosts")).containsExactly("llama2.example.com");
      Route route = cluster.routeTable().getRoutes(0);
      assertThat(route.getMatch().getPathPrefixesList()).containsExactly("/v1");
      assertThat(cluster.routeTable().getVersion()).isGreaterThan(versionBefore);
      assertThat(cluster.modelHost("llama").getStatus().observedGeneration())
          .isEqualTo(cluster.modelHost("llama").getMetadata().getGeneration());
    });
    assertThat(cluster.condition("llama", Conditions.READY).lastTransitionTime()).isEqualTo(readySince);
  }

  @Test
  void deletingTheModelHostRemovesItsObjectsAndRoute() throws Exception {
    cluster.deploymentAndService("llama", 8000);
    cluster.deploymentAndService("other", 8000);
    cluster.create(modelHost(cluster.namespace, "llama"));
    cluster.create(modelHost(cluster.namespace, "other"));
    cluster.start();
    eventually().until(() -> Conditions.TRUE.equals(statusOf("llama", Conditions.READY))
        && Conditions.TRUE.equals(statusOf("other", Conditions.READY)));

    client.resources(ModelHost.class).inNamespace(cluster.namespace).withName("llama").delete();

    eventually().untilAsserted(() -> {
      assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama")).isNull();
      assertThat(cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-llama")).isNull();
      assertThat(cluster.routeTable().getRoutesList()).extracting(Route::getName)
          .doesNotContain(cluster.namespace + "/llama").contains(cluster.namespace + "/other");
    });
    assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-other")).isNotNull();
    assertThat(cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-other")).isNotNull();
  }

  /** The same scenario for a host (no models) and for a model name: the claim the younger loses on. */
  static Stream<Arguments> contestedClaims() {
    return Stream.of(
        Arguments.of(List.of(), List.of(), "host and path shared.example.com/v1"),
        Arguments.of(List.of("llama", "shared"), List.of("qwen", "shared"),
            "model shared at host and path shared.example.com/v1"));
  }

  @ParameterizedTest
  @MethodSource("contestedClaims")
  void olderModelHostWinsAConflictAndTheLoserRecoversWhenItIsGone(List<String> oldModels, List<String> youngModels,
      String claim) throws Exception {
    cluster.deploymentAndService("old", 8000);
    cluster.deploymentAndService("young", 8000);
    cluster.createOlder(modelHost(cluster.namespace, "zz-old", spec(SHARED, V1, "old", oldModels)));
    cluster.create(modelHost(cluster.namespace, "aa-young", spec(SHARED, V1, "young", youngModels)));
    cluster.start();

    eventually().untilAsserted(() -> {
      ModelHostCondition conflict = cluster.condition("aa-young", Conditions.CONFLICT);
      assertThat(conflict).isNotNull();
      assertThat(conflict.status()).isEqualTo(Conditions.TRUE);
      assertThat(conflict.reason()).isEqualTo(Conditions.HOST_CONFLICT);
      assertThat(conflict.message())
          .isEqualTo(claim + " already claimed by ModelHost " + cluster.namespace + "/zz-old (older)");
      assertThat(cluster.condition("aa-young", Conditions.READY).reason()).isEqualTo(Conditions.HOST_CONFLICT);
      assertThat(statusOf("aa-young", Conditions.READY)).isEqualTo(Conditions.FALSE);
      assertThat(statusOf("zz-old", Conditions.READY)).isEqualTo(Conditions.TRUE);
    });
    assertThat(cluster.route("aa-young")).isNull();
    assertThat(cluster.route("zz-old").getMatch().getModelsList()).isEqualTo(oldModels);
    assertThat(cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-aa-young")).isNull();
    assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-aa-young")).isNull();
    assertThat(cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-zz-old")).isNotNull();
    assertThat(events(Conditions.HOST_CONFLICT)).isNotEmpty();

    client.resources(ModelHost.class).inNamespace(cluster.namespace).withName("zz-old").delete();
    eventually().untilAsserted(() -> {
      assertThat(statusOf("aa-young", Conditions.READY)).isEqualTo(Conditions.TRUE);
      assertThat(statusOf("aa-young", Conditions.CONFLICT)).isEqualTo(Conditions.FALSE);
      assertThat(cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-aa-young")).isNotNull();
      assertThat(cluster.route("aa-young").getMatch().getModelsList()).isEqualTo(youngModels);
      assertThat(cluster.route("zz-old")).isNull();
    });
  }

  @Test
  void modelHostsWithDifferentModelsShareOneHostAndAllAreProgrammed() throws Exception {
    cluster.deploymentAndService("llama", 8000);
    cluster.deploymentAndService("qwen", 8000);
    cluster.deploymentAndService("bare", 8000);
    cluster.createOlder(modelHost(cluster.namespace, "llama",
        spec(SHARED, V1, "llama", List.of("meta-llama/Llama-3.1-8B-Instruct", "llama", "llama"))));
    cluster.create(modelHost(cluster.namespace, "qwen", spec(SHARED, V1, "qwen", List.of("qwen2.5"))));
    // Without models: the requests there naming none.
    cluster.create(modelHost(cluster.namespace, "bare", spec(SHARED, V1, "bare")));
    cluster.start();

    eventually().untilAsserted(() -> {
      for (String name : List.of("llama", "qwen", "bare")) {
        assertThat(statusOf(name, Conditions.READY)).as(name).isEqualTo(Conditions.TRUE);
        assertThat(statusOf(name, Conditions.CONFLICT)).as(name).isEqualTo(Conditions.FALSE);
      }
    });
    assertThat(cluster.route("bare").getMatch().getModelsList()).isEmpty();
    assertThat(cluster.route("qwen").getMatch().getHostsList()).isEqualTo(cluster.route("llama").getMatch().getHostsList());

    // The document as the interceptors read it: protobuf JSON, lowerCamelCase; declared order, each once.
    String json = client.configMaps().inNamespace(cluster.wakegateNamespace)
        .withName(Names.ROUTE_TABLE_CONFIGMAP).get().getData().get(Names.ROUTE_TABLE_KEY);
    List<String> models = new ArrayList<>();
    for (JsonNode r : new ObjectMapper().readTree(json).path("routes")) {
      r.path("match").path("models").forEach(m -> models.add(r.path("name").asText() + " " + m.asText()));
    }
    assertThat(models).containsExactly(
        cluster.namespace + "/llama meta-llama/Llama-3.1-8B-Instruct",
        cluster.namespace + "/llama llama",
        cluster.namespace + "/qwen qwen2.5");

    // A VirtualService each, for the same host, to the same destination.
    GenericKubernetesResource llama = cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-llama");
    GenericKubernetesResource qwen = cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-qwen");
    assertThat(specOf(qwen).get("hosts")).isEqualTo(specOf(llama).get("hosts")).isEqualTo(SHARED);
    assertThat(destination(qwen)).isEqualTo(destination(llama))
        .containsEntry("host", "wakegate-interceptor." + cluster.wakegateNamespace + ".svc.cluster.local");
  }

  @Test
  void holdOptionsReachTheRouteTableInMillisecondsAndOnlyWhenSet() throws Exception {
    for (String name : List.of("options", "defaults", "plain", "bad-port")) {
      cluster.deploymentAndService(name, 8000);
    }
    cluster.create(modelHost(cluster.namespace, "options", withColdStart(spec(List.of("options.example.com"), V1, "options"),
        new ColdStartSpec(300, 50, "/health", new StreamKeepAliveSpec(15, 20),
            new WaitingPageSpec(3, 30, "<p>{{model}} is waking</p>"),
            new FailoverSpec("http://small-model." + cluster.namespace + ".svc:8000/", 120, false)))));
    // As a user writes it: empty objects, the API server fills in their defaults.
    client.resource(Serialization.unmarshal("""
        apiVersion: wakegate.io/v1alpha1
        kind: ModelHost
        metadata: {name: defaults, namespace: %1$s}
        spec:
          match: {hosts: [defaults.example.com]}
          target: {name: defaults, port: 8000}
          coldStart:
            streamKeepAlive: {}
            waitingPage: {}
            failover: {url: "http://small-model.%1$s.svc:8000"}
        """.formatted(cluster.namespace), GenericKubernetesResource.class)).create();
    cluster.create(modelHost(cluster.namespace, "plain"));
    // The schema's pattern lets five port digits through; the controller refuses what no interceptor could dial.
    cluster.create(modelHost(cluster.namespace, "bad-port", withColdStart(spec(List.of("bad-port.example.com"), V1,
        "bad-port"), new ColdStartSpec(null, null, null, null, null, new FailoverSpec("http://small-model:99999", 60, null)))));
    cluster.start();

    eventually().untilAsserted(() -> {
      for (String name : List.of("options", "defaults", "plain")) {
        assertThat(statusOf(name, Conditions.READY)).as(name).isEqualTo(Conditions.TRUE);
      }
      ModelHostCondition invalid = cluster.condition("bad-port", Conditions.READY);
      assertThat(invalid).isNotNull();
      assertThat(invalid.reason()).isEqualTo(Conditions.INVALID_SPEC);
      assertThat(invalid.message())
          .isEqualTo("spec.coldStart.failover.url: http://small-model:99999 (expected: http://host[:port] without path)");
      assertThat(cluster.condition("bad-port", Conditions.ROUTES_PROGRAMMED).reason()).isEqualTo(Conditions.INVALID_SPEC);
    });
    assertThat(cluster.route("bad-port")).isNull();

    Hold options = cluster.route("options").getHold();
    assertThat(options.getColdStartTimeoutMs()).isEqualTo(300_000);
    assertThat(options.getStreamKeepAlive())
        .isEqualTo(StreamKeepAlive.newBuilder().setAfterMs(15_000).setIntervalMs(20_000).build());
    assertThat(options.getWaitingPage()).isEqualTo(WaitingPage.newBuilder().setAfterMs(3_000).setRefreshMs(30_000)
        .setTemplate("<p>{{model}} is waking</p>").build());
    assertThat(options.getFailover()).isEqualTo(Failover.newBuilder()
        .setUrl("http://small-model." + cluster.namespace + ".svc:8000").setAfterMs(120_000).setOnQueueFull(false).build());

    Hold defaults = cluster.route("defaults").getHold();
    assertThat(defaults.getStreamKeepAlive())
        .isEqualTo(StreamKeepAlive.newBuilder().setAfterMs(5_000).setIntervalMs(10_000).build());
    assertThat(defaults.hasWaitingPage()).isTrue();
    assertThat(defaults.getWaitingPage()).isEqualTo(WaitingPage.getDefaultInstance());
    assertThat(defaults.getFailover()).isEqualTo(Failover.newBuilder()
        .setUrl("http://small-model." + cluster.namespace + ".svc:8000").setOnQueueFull(true).build());

    Hold plain = cluster.route("plain").getHold();
    assertThat(plain.hasStreamKeepAlive() || plain.hasWaitingPage() || plain.hasFailover()).as(plain.toString()).isFalse();
    // The document as the interceptors read it: the options by their JSON names, on the routes that set them only.
    String json = client.configMaps().inNamespace(cluster.wakegateNamespace)
        .withName(Names.ROUTE_TABLE_CONFIGMAP).get().getData().get(Names.ROUTE_TABLE_KEY);
    Map<String, List<String>> holdFields = new java.util.TreeMap<>();
    for (JsonNode r : new ObjectMapper().readTree(json).path("routes")) {
      List<String> fields = new ArrayList<>();
      r.path("hold").fieldNames().forEachRemaining(fields::add);
      holdFields.put(r.path("name").asText(), fields);
    }
    assertThat(holdFields.get(cluster.namespace + "/plain"))
        .containsExactlyInAnyOrder("coldStartTimeoutMs", "maxPendingRequests");
    assertThat(holdFields.get(cluster.namespace + "/defaults")).contains("streamKeepAlive", "waitingPage", "failover");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> destination(GenericKubernetesResource vs) {
    Map<String, Object> http = ((List<Map<String, Object>>) specOf(vs).get("http")).get(0);
    return (Map<String, Object>) ((List<Map<String, Object>>) http.get("route")).get(0).get("destination");
  }

  @Test
  void missingTargetIsAConditionAndAnEventAndRecoversWhenItAppears() throws Exception {
    cluster.create(modelHost(cluster.namespace, "llama"));
    cluster.start();

    eventually().untilAsserted(() -> {
      ModelHostCondition target = cluster.condition("llama", Conditions.TARGET_FOUND);
      assertThat(target).isNotNull();
      assertThat(target.status()).isEqualTo(Conditions.FALSE);
      assertThat(target.reason()).isEqualTo("WorkloadNotFound");
      assertThat(cluster.condition("llama", Conditions.READY).reason()).isEqualTo("WorkloadNotFound");
      assertThat(events("WorkloadNotFound")).isNotEmpty();
    });
    assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama")).isNull();
    assertThat(cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-llama")).isNull();
    assertThat(cluster.routeTable().getRoutesList()).extracting(Route::getName).doesNotContain(cluster.namespace + "/llama");

    cluster.deploymentAndService("llama", 8000);
    eventually().untilAsserted(() -> {
      assertThat(statusOf("llama", Conditions.READY)).isEqualTo(Conditions.TRUE);
      assertThat(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama")).isNotNull();
    });
  }

  @Test
  void portNotOnTheServiceIsReported() throws Exception {
    cluster.deploymentAndService("llama", 9000);
    cluster.create(modelHost(cluster.namespace, "llama"));
    cluster.start();

    eventually().untilAsserted(() -> {
      ModelHostCondition target = cluster.condition("llama", Conditions.TARGET_FOUND);
      assertThat(target).isNotNull();
      assertThat(target.reason()).isEqualTo("PortNotFound");
      assertThat(target.message()).contains("8000").contains("http=9000");
      assertThat(events("PortNotFound")).isNotEmpty();
    });
    assertThat(cluster.routeTable().getRoutesList()).extracting(Route::getName).doesNotContain(cluster.namespace + "/llama");
  }

  @Test
  void aVirtualServiceSomeoneElseOwnsIsLeftAlone() throws Exception {
    cluster.deploymentAndService("llama", 8000);
    GenericKubernetesResource foreign = new GenericKubernetesResourceBuilder()
        .withApiVersion("networking.istio.io/v1").withKind("VirtualService")
        .withNewMetadata().withName("wakegate-llama").withNamespace(cluster.namespace).endMetadata()
        .addToAdditionalProperties("spec", Map.of("hosts", List.of("mine.example.com")))
        .build();
    client.genericKubernetesResources(Apis.VIRTUAL_SERVICE.context()).inNamespace(cluster.namespace).resource(foreign).create();
    cluster.create(modelHost(cluster.namespace, "llama"));
    cluster.start();

    eventually().untilAsserted(() -> {
      ModelHostCondition vs = cluster.condition("llama", Conditions.VIRTUAL_SERVICE_PROGRAMMED);
      assertThat(vs).isNotNull();
      assertThat(vs.reason()).isEqualTo(Conditions.NOT_OWNED);
      assertThat(statusOf("llama", Conditions.READY)).isEqualTo(Conditions.FALSE);
    });
    assertThat((List<String>) specOf(cluster.stored(Apis.VIRTUAL_SERVICE, "wakegate-llama")).get("hosts"))
        .containsExactly("mine.example.com");
  }

  @Test
  void kedaNotReadyIsReportedAndControllerRestoresADriftedScaledObject() throws Exception {
    cluster.deploymentAndService("llama", 8000);
    cluster.create(modelHost(cluster.namespace, "llama"));
    cluster.start();
    eventually().until(() -> cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama") != null);

    // KEDA reports the ScaledObject not ready (status subresource) ...
    client.genericKubernetesResources(Apis.SCALED_OBJECT.context()).inNamespace(cluster.namespace)
        .withName("wakegate-llama").subresource("status").patch(PatchContext.of(PatchType.JSON),
            "[{\"op\":\"add\",\"path\":\"/status\",\"value\":{\"conditions\":[{\"type\":\"Ready\","
                + "\"status\":\"False\",\"reason\":\"ScaledObjectCheckFailed\",\"message\":\"scaler unreachable\"}]}}]");
    // ... and someone edits a field the controller owns.
    GenericKubernetesResource so = cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama");
    specOf(so).put("maxReplicaCount", 99);
    client.genericKubernetesResources(Apis.SCALED_OBJECT.context()).inNamespace(cluster.namespace).resource(so).update();

    eventually().untilAsserted(() -> {
      assertThat(specOf(cluster.stored(Apis.SCALED_OBJECT, "wakegate-llama"))).containsEntry("maxReplicaCount", 3);
      ModelHostCondition keda = cluster.condition("llama", Conditions.SCALED_OBJECT_READY);
      assertThat(keda.reason()).isEqualTo(Conditions.KEDA_NOT_READY);
      assertThat(keda.message()).contains("scaler unreachable");
      assertThat(statusOf("llama", Conditions.READY)).isEqualTo(Conditions.FALSE);
    });
  }

  private String statusOf(String name, String type) {
    return cluster.statusOf(name, type);
  }

  private List<Event> events(String reason) {
    return cluster.events(reason);
  }
}
