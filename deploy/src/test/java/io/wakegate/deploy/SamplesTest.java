package io.wakegate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** deploy/samples and the generated CRDs the chart ships. */
class SamplesTest {

    /** Kinds with no schema available offline (Istio's Gateway and PeerAuthentication): parsed only. */
    private static final Set<String> UNCHECKED = Set.of("Gateway", "PeerAuthentication");

    private static List<ObjectNode> samples() throws IOException {
        List<ObjectNode> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(Repo.root().resolve("deploy/samples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                all.addAll(Yaml.documents(f));
            }
        }
        return all;
    }

    @Test
    void everySampleValidatesAgainstItsSchema() throws IOException {
        Schemas schemas = Schemas.standard();
        List<String> problems = new ArrayList<>();
        Set<String> unchecked = new TreeSet<>();
        for (ObjectNode o : samples()) {
            if (UNCHECKED.contains(Yaml.kind(o))) {
                unchecked.add(Yaml.kind(o));
            } else if (Yaml.kind(o).equals("ModelHost") && !schemas.hasCrd(o)) {
                unchecked.add("ModelHost (no generated CRD in deploy/crds yet)");
            } else {
                problems.addAll(schemas.validate(o));
            }
        }
        assertThat(problems).isEmpty();
        assertThat(unchecked).isEqualTo(UNCHECKED);
    }

    @Test
    void gpuModelHostSampleIsConsistent() throws IOException {
        List<ObjectNode> samples = samples();
        ObjectNode host = ChartTest.object(samples, "ModelHost", "llama");
        JsonNode target = host.path("spec").path("target");
        ObjectNode deployment = ChartTest.object(samples, target.path("kind").asText(), target.path("name").asText());
        ObjectNode service = ChartTest.object(samples, "Service", target.path("service").asText());
        assertThat(service.path("spec").path("selector")).isEqualTo(
                deployment.path("spec").path("template").path("metadata").path("labels"));

        JsonNode vllm = ChartTest.container(deployment);
        assertThat(vllm.path("resources").path("limits").path("nvidia.com/gpu").asText()).isEqualTo("1");
        JsonNode startup = vllm.path("startupProbe");
        long window = startup.path("periodSeconds").asLong() * startup.path("failureThreshold").asLong();
        assertThat(window).as("startup window for weight loading, seconds").isGreaterThanOrEqualTo(15 * 60);
        assertThat(vllm.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health");
        assertThat(startup.path("httpGet").path("path").asText()).isEqualTo("/health");
        // The interceptor holds requests at least as long as the pod may take to start.
        assertThat(host.path("spec").path("coldStart").path("timeoutSeconds").asLong()).isGreaterThanOrEqualTo(window * 2 / 3);

        for (JsonNode gateway : host.path("spec").path("istio").path("gateways")) {
            String[] nsName = gateway.asText().split("/");
            assertThat(ChartTest.object(samples, "Gateway", nsName[1]).path("metadata").path("namespace").asText())
                    .isEqualTo(nsName[0]);
        }
    }

    /** As the controller would see them: no model claimed twice on one address, so none is refused. */
    @Test
    void modelHostsSharingAnAddressNameDifferentModelsAndOneTimeout() throws IOException {
        Map<String, List<JsonNode>> byAddress = new TreeMap<>();
        for (ObjectNode o : samples()) {
            if (Yaml.kind(o).equals("ModelHost")) {
                JsonNode match = o.path("spec").path("match");
                String address = match.path("hosts") + " " + match.path("pathPrefixes") + " " + match.path("headers");
                byAddress.computeIfAbsent(address, a -> new ArrayList<>()).add(o.path("spec"));
            }
        }
        List<List<JsonNode>> shared = byAddress.values().stream().filter(l -> l.size() > 1).toList();
        assertThat(shared).as("a sample with several models on one address").isNotEmpty();
        for (List<JsonNode> specs : shared) {
            List<String> models = new ArrayList<>();
            specs.forEach(spec -> spec.path("match").path("models").forEach(m -> models.add(m.asText())));
            assertThat(specs.stream().filter(spec -> spec.path("match").path("models").isEmpty()))
                    .as("ModelHosts without models").hasSizeLessThanOrEqualTo(1);
            assertThat(models).doesNotHaveDuplicates();
            assertThat(specs.stream().map(spec -> spec.path("istio").path("timeoutSeconds").asLong(-1)).distinct())
                    .singleElement().isNotEqualTo(-1L);
        }
    }

    @Test
    void referenceObjectsPointAtTheChartsServices() throws IOException {
        List<ObjectNode> samples = samples();
        List<ObjectNode> chart = Chart.render(null);
        String scaler = ChartTest.object(samples, "ScaledObject", "wakegate-llama")
                .path("spec").path("triggers").path(0).path("metadata").path("scalerAddress").asText();
        assertThat(ChartTest.args(ChartTest.object(chart, "Deployment", "wakegate-controller")))
                .contains("--scaler-address=" + scaler);
        String destination = ChartTest.object(samples, "VirtualService", "wakegate-llama").path("spec").path("http")
                .path(0).path("route").path(0).path("destination").path("host").asText();
        assertThat(destination).startsWith("wakegate-interceptor.wakegate.svc.");
        ChartTest.object(chart, "Service", "wakegate-interceptor");
    }

    @Test
    void chartShipsTheGeneratedCrds() throws IOException {
        Path link = Repo.chart().resolve("crds");
        assertThat(Files.isSymbolicLink(link)).as("deploy/helm/wakegate/crds is a symlink to deploy/crds").isTrue();
        assertThat(Files.readSymbolicLink(link).toString()).isEqualTo("../../crds");
        List<Path> crds = Repo.generatedCrdFiles();
        assertThat(crds).as("deploy/crds (build the controller module)").isNotEmpty();
        Schemas schemas = new Schemas();
        KubernetesSerialization serialization = new KubernetesSerialization();
        for (Path file : crds) {
            for (ObjectNode crd : Yaml.documents(file)) {
                assertThat(serialization.unmarshal(Yaml.write(crd), CustomResourceDefinition.class)).isNotNull();
                assertThat(schemas.validate(crd)).as(file.toString()).isEmpty();
            }
        }
        assertThat(Files.isDirectory(link)).as("the symlink resolves").isTrue();
    }
}
