package io.wakegate.controller.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.wakegate.controller.GeneratedCrd;
import io.wakegate.kubetest.KubeApi;
import io.wakegate.kubetest.ReferenceCrds;
import io.wakegate.kubetest.ApiRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRDs as shipped, on a real API server: every generated CRD and the reference KEDA and Istio
 * CRDs install with neither rejection nor warning (CEL cost budget, structural schema), invalid
 * ModelHosts are refused by the schema, defaults show, and {@code kubectl get} lists the columns
 * a user expects, in order.
 */
class CrdOnApiServerTest {

  private static final ApiRecorder WARNINGS = new ApiRecorder();
  private static KubernetesClient client;
  private static String namespace;
  private static final ResourceDefinitionContext MODEL_HOSTS = new ResourceDefinitionContext.Builder()
      .withGroup(ModelHost.GROUP).withVersion(ModelHost.VERSION).withKind(ModelHost.KIND)
      .withPlural(ModelHost.PLURAL).withNamespaced(true).build();

  @BeforeAll
  static void install() {
    client = KubeApi.shared().newAdminClient(WARNINGS);
    for (CustomResourceDefinition crd : GeneratedCrd.all()) {
      if (client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get() != null) {
        client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).delete();
        client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
            .waitUntilCondition(c -> c == null, 30, TimeUnit.SECONDS);
      }
      ReferenceCrds.installAndWait(client, crd);
    }
    for (ReferenceCrds ref : ReferenceCrds.values()) {
      ref.install(client);
    }
    namespace = KubeApi.shared().newNamespace("crd");
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @Test
  void everyCrdInstallsWithoutWarning() {
    assertThat(GeneratedCrd.all()).isNotEmpty();
    for (CustomResourceDefinition crd : GeneratedCrd.all()) {
      CustomResourceDefinition stored = client.apiextensions().v1().customResourceDefinitions()
          .withName(crd.getMetadata().getName()).get();
      assertThat(stored.getStatus().getConditions())
          .as("conditions of %s", crd.getMetadata().getName())
          .anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Established");
            assertThat(c.getStatus()).isEqualTo("True");
          })
          .noneSatisfy(c -> {
            assertThat(c.getType()).isEqualTo("NonStructuralSchema");
            assertThat(c.getStatus()).isEqualTo("True");
          });
    }
    assertThat(WARNINGS.warnings()).as("API server warnings").isEmpty();
  }

  @Test
  void aMinimalModelHostGetsEveryDefaultFromTheServer() {
    GenericKubernetesResource stored = create("minimal", Map.of(
        "match", Map.of("hosts", List.of("llama.example.com")),
        "target", Map.of("name", "llama")));
    JsonNode spec = new ObjectMapper().valueToTree(stored.getAdditionalProperties().get("spec"));
    assertThat(spec.path("replicas").path("min").asInt(-1)).isZero();
    assertThat(spec.path("replicas").path("max").asInt()).isEqualTo(ReplicasSpec.DEFAULT_MAX);
    assertThat(spec.path("scaling").path("window").asText()).isEqualTo(ScalingSpec.DEFAULT_WINDOW);
    assertThat(spec.path("coldStart").path("timeoutSeconds").asInt()).isEqualTo(ColdStartSpec.DEFAULT_TIMEOUT_SECONDS);
    assertThat(spec.path("istio").path("enabled").asBoolean(false)).isTrue();
    assertThat(spec.path("target").path("kind").asText()).isEqualTo("Deployment");
    assertThat(WARNINGS.warnings()).as("API server warnings").isEmpty();
  }

  @Test
  void kubectlGetShowsTheColumnsInOrderWithDefaults() throws Exception {
    create("columns", Map.of(
        "match", Map.of("hosts", List.of("columns.example.com")),
        "target", Map.of("name", "columns-model")));
    // What kubectl asks for: the server-side Table of the list.
    String url = client.getMasterUrl() + "apis/" + ModelHost.API_VERSION + "/namespaces/" + namespace + "/"
        + ModelHost.PLURAL;
    HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
        .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").build();
    HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
    assertThat(response.code()).isEqualTo(200);
    JsonNode table = new ObjectMapper().readTree(response.body());
    List<String> columns = new ArrayList<>();
    List<String> wide = new ArrayList<>();
    table.path("columnDefinitions").forEach(c -> {
      wide.add(c.path("name").asText());
      if (c.path("priority").asInt() == 0) {
        columns.add(c.path("name").asText());
      }
    });
    assertThat(columns).containsExactly("Name", "Hosts", "Target", "Min", "Max", "Replicas", "Ready", "Reason", "Age");
    assertThat(wide).as("with -o wide").containsSubsequence("Hosts", "Models", "Target");
    // A row has a cell per column definition, the wide ones included.
    JsonNode row = table.path("rows").get(0).path("cells");
    assertThat(row.get(wide.indexOf("Name")).asText()).isEqualTo("columns");
    assertThat(row.get(wide.indexOf("Hosts")).toString()).contains("columns.example.com");
    assertThat(row.get(wide.indexOf("Target")).asText()).isEqualTo("columns-model");
    assertThat(row.get(wide.indexOf("Min")).asInt(-1)).as("Min, defaulted").isZero();
    assertThat(row.get(wide.indexOf("Max")).asInt()).as("Max, defaulted").isEqualTo(ReplicasSpec.DEFAULT_MAX);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"match\":{\"hosts\":[\"Llama.Example.com\"]},\"target\":{\"name\":\"x\"}}",
      "{\"match\":{\"hosts\":[]},\"target\":{\"name\":\"x\"}}",
      "{\"match\":{\"hosts\":[\"a.example.com\"],\"pathPrefixes\":[\"v1\"]},\"target\":{\"name\":\"x\"}}",
      "{\"match\":{\"hosts\":[\"a.example.com\"]},\"target\":{\"name\":\"x\"},\"replicas\":{\"min\":3,\"max\":2}}",
      "{\"match\":{\"hosts\":[\"a.example.com\"]},\"target\":{\"name\":\"x\"},\"scaling\":{\"window\":\"10 minutes\"}}",
      "{\"match\":{\"hosts\":[\"a.example.com\"]}}",
      "{\"match\":{\"hosts\":[\"a.example.com\"],\"headers\":[{\"name\":\"bad header\",\"value\":\"v\"}]},\"target\":{\"name\":\"x\"}}"
  })
  void theSchemaRefusesAnInvalidSpec(String spec) {
    @SuppressWarnings("unchecked")
    Map<String, Object> body = Serialization.unmarshal(spec, Map.class);
    assertThatThrownBy(() -> create("invalid", body))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
  }

  static Stream<List<String>> invalidModelLists() {
    return Stream.of(
        List.of("gpt 4"),
        List.of(""),
        List.of("m".repeat(MatchSpec.MAX_MODEL_LENGTH + 1)),
        List.of("caf\u00e9"),
        List.of("tab\there"),
        IntStream.range(0, MatchSpec.MAX_MODELS + 1).mapToObj(i -> "m" + i).toList());
  }

  @ParameterizedTest
  @MethodSource("invalidModelLists")
  void theSchemaRefusesAnInvalidModelList(List<String> models) {
    assertThatThrownBy(() -> create("invalid-models", modelsSpec(models)))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getMessage()).contains("spec.match.models");
        });
  }

  @Test
  void theLongestAndMostModelsAreStoredAsWritten() {
    List<String> models = new ArrayList<>(List.of("meta-llama/Llama-3.1-8B-Instruct", "gpt-4o:2024-08-06", "~!\"#{}",
        "m".repeat(MatchSpec.MAX_MODEL_LENGTH), "llama"));
    while (models.size() < MatchSpec.MAX_MODELS) {
      models.add("alias-" + models.size());
    }
    GenericKubernetesResource stored = create("models", modelsSpec(models));
    JsonNode spec = new ObjectMapper().valueToTree(stored.getAdditionalProperties().get("spec"));
    List<String> back = new ArrayList<>();
    spec.path("match").path("models").forEach(m -> back.add(m.asText()));
    assertThat(back).isEqualTo(models);
    assertThat(WARNINGS.warnings()).as("API server warnings").isEmpty();
  }

  @Test
  void holdOptionsAreStoredWithTheirDefaults() {
    String page = "<p>{{model}}</p>" + "\u00e9".repeat((WaitingPageSpec.MAX_TEMPLATE_BYTES - 16) / 2);
    assertThat(page.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(WaitingPageSpec.MAX_TEMPLATE_BYTES);
    GenericKubernetesResource stored = create("hold-options", coldStartSpec(Map.of(
        "streamKeepAlive", Map.of(),
        "waitingPage", Map.of("template", page),
        "failover", Map.of("url", "http://small-model.ml.svc:8000/"))));
    JsonNode coldStart = new ObjectMapper().valueToTree(stored.getAdditionalProperties().get("spec")).path("coldStart");
    assertThat(coldStart.path("timeoutSeconds").asInt()).isEqualTo(ColdStartSpec.DEFAULT_TIMEOUT_SECONDS);
    assertThat(coldStart.path("streamKeepAlive").path("afterSeconds").asInt()).isEqualTo(5);
    assertThat(coldStart.path("streamKeepAlive").path("intervalSeconds").asInt()).isEqualTo(10);
    assertThat(coldStart.path("waitingPage").path("afterSeconds").asInt(-1)).isZero();
    assertThat(coldStart.path("waitingPage").has("refreshSeconds")).isFalse();
    assertThat(coldStart.path("waitingPage").path("template").asText()).isEqualTo(page);
    assertThat(coldStart.path("failover").path("onQueueFull").asBoolean(false)).isTrue();
    assertThat(coldStart.path("failover").has("afterSeconds")).isFalse();
    assertThat(WARNINGS.warnings()).as("API server warnings").isEmpty();

    GenericKubernetesResource without = create("no-hold-options", coldStartSpec(Map.of()));
    List<String> fields = new ArrayList<>();
    new ObjectMapper().valueToTree(without.getAdditionalProperties().get("spec")).path("coldStart").fieldNames()
        .forEachRemaining(fields::add);
    assertThat(fields).as("absent stays absent").containsExactlyInAnyOrder("timeoutSeconds", "maxPendingRequests");
  }

  static Stream<Arguments> invalidHoldOptions() {
    return Stream.of(
        Arguments.of(Map.of("failover", Map.of("url", "https://api.example.com")), "spec.coldStart.failover.url"),
        Arguments.of(Map.of("failover", Map.of("url", "http://api.example.com/v1")), "spec.coldStart.failover.url"),
        Arguments.of(Map.of("failover", Map.of("url", "http://key:secret@api.example.com")), "spec.coldStart.failover.url"),
        Arguments.of(Map.of("failover", Map.of("url", "http://api.example.com?x=1")), "spec.coldStart.failover.url"),
        Arguments.of(Map.of("failover", Map.of("afterSeconds", 30)), "spec.coldStart.failover.url"),
        Arguments.of(Map.of("failover", Map.of("url", "http://a.example.com", "afterSeconds", 0)),
            "spec.coldStart.failover.afterSeconds"),
        Arguments.of(Map.of("failover", Map.of("url", "http://a.example.com", "onQueueFull", false)),
            "failover needs afterSeconds, or onQueueFull true"),
        Arguments.of(Map.of("timeoutSeconds", 60, "failover", Map.of("url", "http://a.example.com", "afterSeconds", 60)),
            "failover.afterSeconds must be below timeoutSeconds"),
        Arguments.of(Map.of("streamKeepAlive", Map.of("afterSeconds", 600)),
            "streamKeepAlive.afterSeconds must be below timeoutSeconds"),
        Arguments.of(Map.of("streamKeepAlive", Map.of("afterSeconds", -1)), "spec.coldStart.streamKeepAlive.afterSeconds"),
        Arguments.of(Map.of("streamKeepAlive", Map.of("intervalSeconds", 0)), "spec.coldStart.streamKeepAlive.intervalSeconds"),
        Arguments.of(Map.of("waitingPage", Map.of("afterSeconds", -1)), "spec.coldStart.waitingPage.afterSeconds"),
        Arguments.of(Map.of("waitingPage", Map.of("refreshSeconds", 0)), "spec.coldStart.waitingPage.refreshSeconds"),
        Arguments.of(Map.of("waitingPage", Map.of("template", "x".repeat(WaitingPageSpec.MAX_TEMPLATE_BYTES + 1))),
            "spec.coldStart.waitingPage.template"),
        Arguments.of(Map.of("waitingPage", Map.of("template", "\u00e9".repeat(WaitingPageSpec.MAX_TEMPLATE_BYTES / 2 + 1))),
            "template must be at most 65536 bytes of UTF-8"));
  }

  @ParameterizedTest
  @MethodSource("invalidHoldOptions")
  void theSchemaRefusesInvalidHoldOptions(Map<String, Object> coldStart, String complaint) {
    assertThatThrownBy(() -> create("invalid-hold", coldStartSpec(coldStart)))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getMessage()).contains(complaint);
        });
  }

  private static Map<String, Object> coldStartSpec(Map<String, Object> coldStart) {
    return Map.of("match", Map.of("hosts", List.of("hold.example.com")), "target", Map.of("name", "x"),
        "coldStart", coldStart);
  }

  private static Map<String, Object> modelsSpec(List<String> models) {
    return Map.of("match", Map.of("hosts", List.of("models.example.com"), "models", models),
        "target", Map.of("name", "x"));
  }

  private static GenericKubernetesResource create(String name, Map<String, Object> spec) {
    GenericKubernetesResource object = new GenericKubernetesResource();
    object.setApiVersion(ModelHost.API_VERSION);
    object.setKind(ModelHost.KIND);
    object.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(namespace)
        .build());
    object.setAdditionalProperty("spec", spec);
    return client.genericKubernetesResources(MODEL_HOSTS).inNamespace(namespace).resource(object).create();
  }
}
