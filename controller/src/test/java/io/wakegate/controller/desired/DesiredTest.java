package io.wakegate.controller.desired;

import static io.wakegate.controller.ModelHosts.SETTINGS;
import static io.wakegate.controller.ModelHosts.modelHost;
import static io.wakegate.controller.ModelHosts.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.wakegate.controller.ModelHosts;
import io.wakegate.controller.SchemaValidator;
import io.wakegate.controller.crd.ColdStartSpec;
import io.wakegate.controller.crd.FailoverSpec;
import io.wakegate.controller.crd.MatchSpec;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostSpec;
import io.wakegate.controller.crd.StreamKeepAliveSpec;
import io.wakegate.controller.crd.TargetSpec;
import io.wakegate.controller.crd.WaitingPageSpec;
import io.wakegate.proto.routes.Failover;
import io.wakegate.proto.routes.ForwardTo;
import io.wakegate.proto.routes.Hold;
import io.wakegate.proto.routes.Route;
import io.wakegate.proto.routes.RouteTable;
import io.wakegate.proto.routes.StreamKeepAlive;
import io.wakegate.proto.routes.WaitingPage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredTest {

  private static final ResolvedTarget TARGET =
      new ResolvedTarget(TargetSpec.WorkloadKind.Deployment, "llama", "llama", 8000, "http");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> specOf(GenericKubernetesResource object) {
    return (Map<String, Object>) object.getAdditionalProperties().get("spec");
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Object root, String... path) {
    Object node = root;
    for (String key : path) {
      node = node instanceof List<?> list ? list.get(Integer.parseInt(key)) : ((Map<String, Object>) node).get(key);
    }
    return (T) node;
  }

  @Test
  void scaledObjectCarriesTargetBoundsTimingBehaviourAndTheScalersTrigger() {
    ModelHost host = modelHost("ml", "llama");
    GenericKubernetesResource so = ScaledObjects.desired(host, TARGET, SETTINGS);

    assertThat(so.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
    assertThat(so.getMetadata().getName()).isEqualTo("wakegate-llama");
    assertThat(so.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(so.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> {
          assertThat(ref.getUid()).isEqualTo("uid-llama");
          assertThat(ref.getController()).isTrue();
          assertThat(ref.getKind()).isEqualTo("ModelHost");
        });
    Map<String, Object> spec = specOf(so);
    assertThat(spec).doesNotContainKey("replicas");
    assertThat((Map<String, Object>) at(spec, "scaleTargetRef"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", "llama"));
    assertThat(spec).containsEntry("minReplicaCount", 0).containsEntry("maxReplicaCount", 3)
        .containsEntry("pollingInterval", 15).containsEntry("cooldownPeriod", 600);
    assertThat((Integer) at(spec, "advanced", "horizontalPodAutoscalerConfig", "behavior", "scaleUp",
        "stabilizationWindowSeconds")).isZero();
    assertThat((Integer) at(spec, "advanced", "horizontalPodAutoscalerConfig", "behavior", "scaleDown",
        "stabilizationWindowSeconds")).isEqualTo(600);
    assertThat((String) at(spec, "triggers", "0", "type")).isEqualTo("external-push");
    assertThat((Map<String, Object>) at(spec, "triggers", "0", "metadata")).containsExactlyInAnyOrderEntriesOf(Map.of(
        "scalerAddress", "wakegate-scaler.wakegate:9090",
        "route", "ml/llama",
        "metric", "concurrency",
        "targetValue", "4",
        "window", "2m",
        "activationThreshold", "0.5"));
    SchemaValidator.assertValid(so);
  }

  @Test
  void withScalerAuthenticationEveryTriggerNamesIt() {
    ModelHost host = modelHost("ml", "llama");
    Settings tls = new Settings("wakegate", "wakegate-scaler.wakegate:9090", "wakegate-interceptor", 8080,
        "cluster.local", Settings.AuthenticationRef.parse("ClusterTriggerAuthentication/wakegate-scaler"));
    GenericKubernetesResource so = ScaledObjects.desired(host, TARGET, tls);
    assertThat((Map<String, Object>) at(specOf(so), "triggers", "0", "authenticationRef"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("kind", "ClusterTriggerAuthentication", "name", "wakegate-scaler"));
    SchemaValidator.assertValid(so);
    assertThat((Map<String, Object>) at(specOf(ScaledObjects.desired(host, TARGET, SETTINGS)), "triggers", "0"))
        .doesNotContainKey("authenticationRef");
    assertThat(Settings.AuthenticationRef.parse("wakegate-scaler"))
        .isEqualTo(new Settings.AuthenticationRef("TriggerAuthentication", "wakegate-scaler"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Settings.AuthenticationRef.parse("Secret/x"))
        .hasMessage("kind: Secret (expected: TriggerAuthentication or ClusterTriggerAuthentication)");
  }

  @Test
  void scaledObjectOfAStatefulSetWithRequestRateAndDefaults() {
    ModelHostSpec defaults = new ModelHostSpec(new MatchSpec(List.of("a.example.com"), null, null),
        new TargetSpec(TargetSpec.WorkloadKind.StatefulSet, "tgi", null, null), null, null, null, null, null, null, null);
    ModelHost host = modelHost("ml", "tgi", new ModelHostSpec(defaults.match(), defaults.target(), null,
        new io.wakegate.controller.crd.ScalingSpec(io.wakegate.controller.crd.ScalingSpec.Metric.REQUEST_RATE, 2.5, null, null, null, null),
        null, null, null, null, null));
    GenericKubernetesResource so = ScaledObjects.desired(host,
        new ResolvedTarget(TargetSpec.WorkloadKind.StatefulSet, "tgi", "tgi", 80, ""), SETTINGS);
    Map<String, Object> spec = specOf(so);
    assertThat((String) at(spec, "scaleTargetRef", "kind")).isEqualTo("StatefulSet");
    assertThat(spec).containsEntry("minReplicaCount", 0).containsEntry("maxReplicaCount", 1)
        .containsEntry("cooldownPeriod", 900).containsEntry("pollingInterval", 30);
    assertThat((Map<String, Object>) at(spec, "triggers", "0", "metadata"))
        .containsEntry("metric", "requestRate").containsEntry("targetValue", "2.5")
        .containsEntry("window", "60s").containsEntry("activationThreshold", "0");
    SchemaValidator.assertValid(so);
  }

  @Test
  void virtualServiceRoutesHostsAndPathsToTheInterceptorWithoutRetries() {
    ModelHost host = modelHost("ml", "llama", new ModelHostSpec(
        new MatchSpec(List.of("LLama.example.com", "*.models.example.com"), List.of("/v1/", "/generate"),
            List.of(new MatchSpec.HeaderMatch("X-Model", "llama"))),
        new TargetSpec(null, "llama", null, null), null, null, null, null, null, null, null));
    GenericKubernetesResource vs = VirtualServices.desired(host, SETTINGS);

    assertThat(vs.getApiVersion()).isEqualTo("networking.istio.io/v1");
    Map<String, Object> spec = specOf(vs);
    assertThat((List<String>) at(spec, "hosts")).containsExactly("llama.example.com", "*.models.example.com");
    assertThat(spec).doesNotContainKey("gateways");
    assertThat((String) at(spec, "http", "0", "match", "0", "uri", "prefix")).isEqualTo("/v1");
    assertThat((String) at(spec, "http", "0", "match", "1", "uri", "prefix")).isEqualTo("/generate");
    assertThat((String) at(spec, "http", "0", "match", "1", "headers", "x-model", "exact")).isEqualTo("llama");
    assertThat((String) at(spec, "http", "0", "route", "0", "destination", "host"))
        .isEqualTo("wakegate-interceptor.wakegate.svc.cluster.local");
    assertThat((Integer) at(spec, "http", "0", "route", "0", "destination", "port", "number")).isEqualTo(8080);
    assertThat((Integer) at(spec, "http", "0", "retries", "attempts")).isZero();
    // 600 s default cold start + 300 s default response-header timeout
    assertThat((String) at(spec, "http", "0", "timeout")).isEqualTo("900s");
    assertThat((Object) at(spec, "http", "0", "rewrite")).as("Host is preserved").isNull();
    SchemaValidator.assertValid(vs);
  }

  @Test
  void virtualServiceBindsGatewaysAndHonoursAnExplicitTimeout() {
    ModelHost host = modelHost("ml", "llama");
    GenericKubernetesResource vs = VirtualServices.desired(host, SETTINGS);
    assertThat((List<String>) at(specOf(vs), "gateways")).containsExactly("istio-system/public");
    assertThat((String) at(specOf(vs), "http", "0", "timeout")).isEqualTo("420s");
    SchemaValidator.assertValid(vs);
  }

  @Test
  void routeEntryCarriesMatchBackendHoldAndLimits() {
    Route route = Routes.entry(modelHost("ml", "llama"), TARGET, true);
    assertThat(route.getName()).isEqualTo("ml/llama");
    assertThat(route.getMatch().getHostsList()).containsExactly("llama.example.com");
    assertThat(route.getMatch().getPathPrefixesList()).containsExactly("/");
    assertThat(route.getBackend().getNamespace()).isEqualTo("ml");
    assertThat(route.getBackend().getService()).isEqualTo("llama");
    assertThat(route.getBackend().getPortNumber()).isEqualTo(8000);
    assertThat(route.getBackend().getPortName()).isEqualTo("http");
    assertThat(route.getBackend().getReadinessPath()).isEqualTo("/health");
    assertThat(route.getBackend().getForwardTo()).isEqualTo(ForwardTo.FORWARD_TO_PODS);
    assertThat(route.getBackend().getWorkload()).isEqualTo("llama");
    assertThat(route.getHold().getColdStartTimeoutMs()).isEqualTo(300_000);
    assertThat(route.getHold().getMaxPendingRequests()).isEqualTo(50);
    assertThat(route.getMaxConcurrencyPerEndpoint()).isEqualTo(2);
    assertThat(route.getResponseHeaderTimeoutMs()).isEqualTo(120_000);
  }

  @Test
  void routeWithoutReadinessPathLeavesItAbsentAndServiceForwarding() {
    ModelHostSpec s = spec(List.of("a.example.com"), List.of("/"), "a");
    ModelHost host = modelHost("ml", "a", new ModelHostSpec(s.match(), s.target(), s.replicas(), s.scaling(),
        new io.wakegate.controller.crd.ColdStartSpec(null, null, null), null, null, ModelHostSpec.ForwardTo.Service, null));
    Route route = Routes.entry(host, TARGET, true);
    assertThat(route.getBackend().hasReadinessPath()).isFalse();
    assertThat(route.getBackend().getForwardTo()).isEqualTo(ForwardTo.FORWARD_TO_SERVICE);
    assertThat(route.getHold().getColdStartTimeoutMs()).isEqualTo(600_000);
  }

  @Test
  void routeEntryCarriesKeepAliveWaitingPageAndFailoverInMilliseconds() throws Exception {
    Route route = Routes.entry(withColdStart(new ColdStartSpec(300, 50, "/health",
        new StreamKeepAliveSpec(15, 20), new WaitingPageSpec(3, 30, "<p>{{model}} is waking</p>"),
        new FailoverSpec("http://small-model.ml.svc:8000/", 120, false))), TARGET, true);
    Hold hold = route.getHold();
    assertThat(hold.getStreamKeepAlive())
        .isEqualTo(StreamKeepAlive.newBuilder().setAfterMs(15_000).setIntervalMs(20_000).build());
    assertThat(hold.getWaitingPage()).isEqualTo(WaitingPage.newBuilder().setAfterMs(3_000).setRefreshMs(30_000)
        .setTemplate("<p>{{model}} is waking</p>").build());
    assertThat(hold.getFailover()).as("the URL without its trailing /").isEqualTo(Failover.newBuilder()
        .setUrl("http://small-model.ml.svc:8000").setAfterMs(120_000).setOnQueueFull(false).build());
    assertThat(Routes.fromJson(Routes.toJson(Routes.table(List.of(route), 1))).getRoutes(0)).isEqualTo(route);
  }

  @Test
  void unsetHoldOptionsTakeTheirDefaultsAndAnEmptyOneIsStillPresent() throws Exception {
    Route route = Routes.entry(withColdStart(new ColdStartSpec(300, 50, null,
        new StreamKeepAliveSpec(null, null), new WaitingPageSpec(null, null, ""),
        new FailoverSpec("http://10.0.0.7", null, null))), TARGET, true);
    Hold hold = route.getHold();
    assertThat(hold.getStreamKeepAlive().getAfterMs()).isEqualTo(5_000);
    assertThat(hold.getStreamKeepAlive().getIntervalMs()).isEqualTo(10_000);
    assertThat(hold.hasWaitingPage()).isTrue();
    assertThat(hold.getWaitingPage()).as("at once, refresh from cold starts, built-in page")
        .isEqualTo(WaitingPage.getDefaultInstance());
    assertThat(hold.getFailover()).isEqualTo(Failover.newBuilder().setUrl("http://10.0.0.7").setOnQueueFull(true).build());
    // An all-default message still prints, so the interceptor sees the option on.
    String json = Routes.toJson(Routes.table(List.of(route), 1));
    assertThat(json).contains("\"waitingPage\": {\n").doesNotContain("refreshMs").doesNotContain("template");
    assertThat(Routes.fromJson(json).getRoutes(0).getHold().hasWaitingPage()).isTrue();
  }

  @Test
  void aRouteWithoutHoldOptionsCarriesNone() {
    Route route = Routes.entry(modelHost("ml", "llama"), TARGET, true);
    assertThat(route.getHold().hasStreamKeepAlive()).isFalse();
    assertThat(route.getHold().hasWaitingPage()).isFalse();
    assertThat(route.getHold().hasFailover()).isFalse();
    assertThat(Routes.toJson(Routes.table(List.of(route), 1)))
        .doesNotContain("streamKeepAlive").doesNotContain("waitingPage").doesNotContain("failover");
  }

  @Test
  void routeTableIsSortedAndRoundTripsThroughJson() throws Exception {
    Route b = Routes.entry(modelHost("ml", "b"), TARGET, true);
    Route a = Routes.entry(modelHost("ml", "a"), TARGET, true);
    RouteTable table = Routes.table(List.of(b, a), 42);
    assertThat(table.getRoutesList()).extracting(Route::getName).containsExactly("ml/a", "ml/b");
    String json = Routes.toJson(table);
    assertThat(json).contains("\"pathPrefixes\"").contains("\"coldStartTimeoutMs\"");
    assertThat(Routes.fromJson(json)).isEqualTo(table);
    assertThat(Routes.fromJson("{\"version\": \"7\", \"futureField\": true}").getVersion()).isEqualTo(7);
    assertThat(Routes.nextVersion(42, 10)).isEqualTo(43);
    assertThat(Routes.nextVersion(42, 1000)).isEqualTo(1000);
  }

  @Test
  void olderModelHostWinsASharedHostAndPath() {
    ModelHost old = withCreated(modelHost("ml", "zz-old", spec(List.of("m.example.com"), List.of("/v1"), "a")),
        "2024-01-01T00:00:00Z");
    ModelHost young = withCreated(modelHost("ml", "aa-young", spec(List.of("m.example.com"), List.of("/v1/"), "b")),
        "2024-01-02T00:00:00Z");
    ModelHost otherPath = withCreated(modelHost("ml", "other", spec(List.of("m.example.com"), List.of("/v2"), "c")),
        "2024-01-03T00:00:00Z");
    Map<String, Claims.Conflict> losers = Claims.resolve(List.of(young, otherPath, old));
    assertThat(losers).containsOnlyKeys("ml/aa-young");
    assertThat(losers.get("ml/aa-young").winner()).isEqualTo("ml/zz-old");
    assertThat(losers.get("ml/aa-young").message()).contains("m.example.com/v1").contains("ml/zz-old");
  }

  @Test
  void sameTimestampFallsBackToNameAndHeadersSeparateClaims() {
    ModelHost b = withCreated(modelHost("ml", "b", spec(List.of("m.example.com"), List.of("/"), "b")), "2024-01-01T00:00:00Z");
    ModelHost a = withCreated(modelHost("ml", "a", spec(List.of("M.example.com"), List.of("/"), "a")), "2024-01-01T00:00:00Z");
    assertThat(Claims.resolve(List.of(b, a))).containsOnlyKeys("ml/b");

    ModelHostSpec base = spec(List.of("m.example.com"), List.of("/"), "h");
    ModelHost withHeader = withCreated(modelHost("ml", "h", new ModelHostSpec(
        new MatchSpec(base.match().hosts(), null, List.of(new MatchSpec.HeaderMatch("x-model", "h"))),
        base.target(), null, null, null, null, null, null, null)), "2024-01-05T00:00:00Z");
    assertThat(Claims.resolve(List.of(a, withHeader))).isEmpty();
  }

  @Test
  void routeEntryCarriesModelsInDeclaredOrderEachOnce() throws Exception {
    ModelHost host = modelHost("ml", "llama", spec(List.of("m.example.com"), List.of("/v1"), "llama",
        List.of("meta-llama/Llama-3.1-8B-Instruct", "llama", "Llama", "llama")));
    Route route = Routes.entry(host, TARGET, true);
    assertThat(route.getMatch().getModelsList())
        .containsExactly("meta-llama/Llama-3.1-8B-Instruct", "llama", "Llama");
    String json = Routes.toJson(Routes.table(List.of(route), 1));
    assertThat(json).contains("\"models\": [\"meta-llama/Llama-3.1-8B-Instruct\", \"llama\", \"Llama\"]");
    assertThat(Routes.fromJson(json).getRoutes(0).getMatch().getModelsList())
        .isEqualTo(route.getMatch().getModelsList());
  }

  @Test
  void aRouteWithoutModelsPrintsNoModelsField() {
    String json = Routes.toJson(Routes.table(List.of(Routes.entry(modelHost("ml", "llama"), TARGET, true)), 1));
    assertThat(json).doesNotContain("models");
    assertThat(Routes.toJson(Routes.table(List.of(Routes.entry(modelHost("ml", "llama"), TARGET, true)), 1)))
        .as("same input, same bytes").isEqualTo(json);
  }

  @Test
  void modelHostsWithDisjointModelsShareAnAddress() {
    ModelHost llama = withCreated(modelHost("ml", "llama",
        spec(List.of("m.example.com"), List.of("/v1"), "llama", List.of("llama", "llama-3"))), "2024-01-01T00:00:00Z");
    ModelHost qwen = withCreated(modelHost("ml", "qwen",
        spec(List.of("M.example.com"), List.of("/v1/"), "qwen", List.of("qwen"))), "2024-01-02T00:00:00Z");
    ModelHost bare = withCreated(modelHost("ml", "bare",
        spec(List.of("m.example.com"), List.of("/v1"), "bare")), "2024-01-03T00:00:00Z");
    ModelHost twice = withCreated(modelHost("ml", "twice",
        spec(List.of("m.example.com"), List.of("/v1"), "twice", List.of("mistral", "mistral"))), "2024-01-04T00:00:00Z");
    assertThat(Claims.resolve(List.of(twice, bare, qwen, llama))).isEmpty();
    assertThat(Claims.claims(twice)).containsExactly(new Claims.Claim("m.example.com/v1", "mistral"));
  }

  @Test
  void theYoungerOfTwoModelHostsNamingOneModelLosesAllItsClaims() {
    ModelHost old = withCreated(modelHost("ml", "zz-old",
        spec(List.of("m.example.com"), List.of("/v1"), "a", List.of("llama", "shared"))), "2024-01-01T00:00:00Z");
    ModelHost young = withCreated(modelHost("ml", "aa-young",
        spec(List.of("m.example.com"), List.of("/v1"), "b", List.of("qwen", "shared"))), "2024-01-02T00:00:00Z");
    ModelHost elsewhere = withCreated(modelHost("ml", "elsewhere",
        spec(List.of("m.example.com"), List.of("/v2"), "c", List.of("shared"))), "2024-01-03T00:00:00Z");
    Map<String, Claims.Conflict> losers = Claims.resolve(List.of(young, elsewhere, old));
    assertThat(losers).containsOnlyKeys("ml/aa-young");
    Claims.Conflict conflict = losers.get("ml/aa-young");
    assertThat(conflict.winner()).isEqualTo("ml/zz-old");
    assertThat(conflict.claim()).isEqualTo(new Claims.Claim("m.example.com/v1", "shared"));
    assertThat(conflict.message())
        .isEqualTo("model shared at host and path m.example.com/v1 already claimed by ModelHost ml/zz-old (older)");
    // Case-sensitive names are different models.
    ModelHost upper = withCreated(modelHost("ml", "upper",
        spec(List.of("m.example.com"), List.of("/v1"), "d", List.of("Shared"))), "2024-01-04T00:00:00Z");
    assertThat(Claims.resolve(List.of(old, upper))).isEmpty();
    // A bare claim still says so, without a model.
    ModelHost bareOld = withCreated(modelHost("ml", "bare-old", spec(List.of("m.example.com"), List.of("/v1"), "e")),
        "2024-01-01T00:00:00Z");
    ModelHost bareYoung = withCreated(modelHost("ml", "bare-young", spec(List.of("m.example.com"), List.of("/v1"), "f")),
        "2024-01-02T00:00:00Z");
    assertThat(Claims.resolve(List.of(bareYoung, bareOld)).get("ml/bare-young").message())
        .isEqualTo("host and path m.example.com/v1 already claimed by ModelHost ml/bare-old (older)");
  }

  @Test
  void targetResolvesThePortByNumberNameOrTheOnlyOne() {
    var deployment = new DeploymentBuilder().withNewMetadata().withName("llama").withNamespace("ml").endMetadata().build();
    var service = new ServiceBuilder().withNewMetadata().withName("llama").withNamespace("ml").endMetadata()
        .withNewSpec().addNewPort().withName("http").withPort(8000).endPort()
        .addNewPort().withName("metrics").withPort(9090).endPort().endSpec().build();
    assertThat(Targets.resolve(withPort(new IntOrString("metrics")), deployment, service))
        .isEqualTo(new Targets.Found(new ResolvedTarget(TargetSpec.WorkloadKind.Deployment, "llama", "llama", 9090, "metrics")));
    assertThat(Targets.resolve(withPort(new IntOrString(8000)), deployment, service))
        .isEqualTo(new Targets.Found(new ResolvedTarget(TargetSpec.WorkloadKind.Deployment, "llama", "llama", 8000, "http")));
    assertThat(Targets.resolve(withPort(new IntOrString(7000)), deployment, service))
        .isInstanceOfSatisfying(Targets.Missing.class, m -> {
          assertThat(m.reason()).isEqualTo("PortNotFound");
          assertThat(m.message()).contains("7000").contains("http=8000");
        });
    assertThat(Targets.resolve(withPort(null), deployment, service))
        .isInstanceOfSatisfying(Targets.Missing.class, m -> assertThat(m.message()).contains("set spec.target.port"));
    assertThat(Targets.resolve(withPort(null), null, service))
        .isInstanceOfSatisfying(Targets.Missing.class, m -> assertThat(m.reason()).isEqualTo("WorkloadNotFound"));
    assertThat(Targets.resolve(withPort(null), deployment, null))
        .isInstanceOfSatisfying(Targets.Missing.class, m -> assertThat(m.reason()).isEqualTo("ServiceNotFound"));
  }

  @Test
  void longNamesAreShortenedStablyAndDistinctly() {
    String a = "m".repeat(80) + "a";
    String b = "m".repeat(80) + "b";
    assertThat(Names.scaledObject(modelHost("ml", a))).hasSize(63).isEqualTo(Names.scaledObject(modelHost("ml", a)))
        .isNotEqualTo(Names.scaledObject(modelHost("ml", b)));
    assertThat(Names.virtualService(modelHost("ml", "llama"))).isEqualTo("wakegate-llama");
    assertThat(Names.labels(modelHost("ml", a)).get(Names.MODEL_HOST_LABEL)).hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void validationNamesEveryBadField() {
    ModelHostSpec s = spec(List.of("m.example.com"), List.of("v1"), "a");
    ModelHost bad = modelHost("ml", "bad", new ModelHostSpec(s.match(), s.target(),
        new io.wakegate.controller.crd.ReplicasSpec(3, 2),
        new io.wakegate.controller.crd.ScalingSpec(null, 0.0, "soon", null, null, null), null, null, null, null, null));
    assertThat(Validation.problem(bad)).contains("spec.match.pathPrefixes: v1").contains("spec.replicas")
        .contains("spec.scaling.targetValue: 0.0").contains("spec.scaling.window: soon");
    assertThat(Validation.problem(modelHost("ml", "good"))).isNull();
  }

  @Test
  void validationRefusesBadModelNamesAndTooManyButNotRepeats() {
    assertThat(Validation.problem(withModels(List.of("gpt 4", "", "m".repeat(257), "ok", "caf\u00e9"))))
        .contains("spec.match.models: 'gpt 4'").contains("spec.match.models: ''")
        .contains("spec.match.models: '" + "m".repeat(257) + "'").contains("spec.match.models: 'caf\u00e9'")
        .doesNotContain("'ok'");
    assertThat(Validation.problem(withModels(java.util.stream.IntStream.range(0, 65).mapToObj(i -> "m" + i).toList())))
        .isEqualTo("spec.match.models: 65 names (expected: at most 64)");
    assertThat(Validation.problem(withModels(List.of("meta-llama/Llama-3.1-8B-Instruct", "a", "a", "~!:@" + "m".repeat(252)))))
        .isNull();
  }

  @Test
  void validationRefusesHoldOptionsOutsideTheirBoundsOrTheHold() {
    assertThat(Validation.problem(withColdStart(new ColdStartSpec(60, null, null,
        new StreamKeepAliveSpec(60, 0), new WaitingPageSpec(-1, 0, "\u00e9".repeat(WaitingPageSpec.MAX_TEMPLATE_BYTES / 2 + 1)),
        new FailoverSpec("http://a.example.com/v1", 60, null)))))
        .contains("spec.coldStart.streamKeepAlive.afterSeconds: 60 (expected: >= 1, below coldStart.timeoutSeconds 60)")
        .contains("spec.coldStart.streamKeepAlive.intervalSeconds: 0 (expected: >= 1)")
        .contains("spec.coldStart.waitingPage.afterSeconds: -1 (expected: >= 0)")
        .contains("spec.coldStart.waitingPage.refreshSeconds: 0 (expected: >= 1)")
        .contains("spec.coldStart.waitingPage.template: 65538 bytes (expected: at most 65536 bytes of UTF-8)")
        .contains("spec.coldStart.failover.url: http://a.example.com/v1 (expected: http://host[:port] without path)")
        .contains("spec.coldStart.failover.afterSeconds: 60 (expected: >= 1, below coldStart.timeoutSeconds 60)");
    assertThat(Validation.problem(withColdStart(new ColdStartSpec(60, null, null, null, null,
        new FailoverSpec("http://a.example.com", null, false)))))
        .isEqualTo("spec.coldStart.failover: neither afterSeconds nor onQueueFull (expected: at least one)");
    for (String url : List.of("https://api.example.com", "http://user:secret@api.example.com", "http://a.example.com?x=1",
        "http://a.example.com:99999", "http://a.example.com:0", "http://a..b", "http://", "api.example.com")) {
      assertThat(Validation.problem(withColdStart(new ColdStartSpec(60, null, null, null, null,
          new FailoverSpec(url, null, null))))).as(url).contains("spec.coldStart.failover.url: " + url);
    }
    for (String url : List.of("http://a.example.com", "http://a.example.com:8000/", "http://[fd00::1]:8000", "http://10.1.2.3")) {
      assertThat(Validation.problem(withColdStart(new ColdStartSpec(60, null, null, null, null,
          new FailoverSpec(url, 59, null))))).as(url).isNull();
    }
    assertThat(Validation.problem(withColdStart(new ColdStartSpec(60, null, null, new StreamKeepAliveSpec(59, 1),
        new WaitingPageSpec(600, null, "x".repeat(WaitingPageSpec.MAX_TEMPLATE_BYTES)), null))))
        .as("a page after the timeout is pointless but harmless").isNull();
  }

  private static ModelHost withColdStart(ColdStartSpec coldStart) {
    return modelHost("ml", "llama", ModelHosts.withColdStart(spec(List.of("m.example.com"), List.of("/"), "llama"), coldStart));
  }

  private static ModelHost withModels(List<String> models) {
    return modelHost("ml", "models", spec(List.of("m.example.com"), List.of("/"), "a", models));
  }

  private static ModelHost withPort(IntOrString port) {
    ModelHostSpec s = spec(List.of("m.example.com"), List.of("/"), "llama");
    return modelHost("ml", "llama", new ModelHostSpec(s.match(), new TargetSpec(null, "llama", null, port),
        null, null, null, null, null, null, null));
  }

  private static ModelHost withCreated(ModelHost host, String timestamp) {
    host.getMetadata().setCreationTimestamp(timestamp);
    return host;
  }
}
