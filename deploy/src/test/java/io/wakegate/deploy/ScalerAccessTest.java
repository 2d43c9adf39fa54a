package io.wakegate.deploy;

import static io.wakegate.deploy.ChartTest.all;
import static io.wakegate.deploy.ChartTest.args;
import static io.wakegate.deploy.ChartTest.container;
import static io.wakegate.deploy.ChartTest.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Who may talk to the scaler: the NetworkPolicy on its pods (on by default) and TLS or mutual TLS
 * on its gRPC ports from Secrets, as the chart renders them.
 */
class ScalerAccessTest {

    private static final String MTLS = """
            scaler:
              tls: {enabled: true, serverSecret: scaler-cert, clientCASecret: client-ca,
                    interceptorClientSecret: interceptor-cert}
            """;

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static Map<String, String> podLabels(ObjectNode deployment) {
        return labels(deployment.path("spec").path("template").path("metadata").path("labels"));
    }

    /** The policy's ingress rules by port: each rule's {@code from} peers. */
    private static Map<Integer, JsonNode> rulesByPort(ObjectNode policy) {
        Map<Integer, JsonNode> out = new TreeMap<>();
        for (JsonNode rule : policy.path("spec").path("ingress")) {
            for (JsonNode port : rule.path("ports")) {
                out.put(port.path("port").asInt(), rule.path("from"));
            }
        }
        return out;
    }

    private static boolean selects(JsonNode matchLabels, Map<String, String> labels) {
        return labels.entrySet().containsAll(ScalerAccessTest.labels(matchLabels).entrySet());
    }

    @Test
    void byDefaultOnlyInterceptorsReachTheDemandPortAndOnlyKedasNamespaceTheExternalScalerPort() {
        List<ObjectNode> objects = Chart.render(null);
        ObjectNode policy = object(objects, "NetworkPolicy", "wakegate-scaler");
        ObjectNode scaler = object(objects, "Deployment", "wakegate-scaler");
        ObjectNode interceptor = object(objects, "Deployment", "wakegate-interceptor");

        assertThat(Yaml.list(policy.path("spec").path("policyTypes"))).extracting(JsonNode::asText).containsExactly("Ingress");
        JsonNode podSelector = policy.path("spec").path("podSelector").path("matchLabels");
        assertThat(selects(podSelector, podLabels(scaler))).as("selects the scaler pods").isTrue();
        for (ObjectNode other : all(objects, "Deployment")) {
            if (other != scaler) {
                assertThat(selects(podSelector, podLabels(other))).as("selects %s", Yaml.id(other)).isFalse();
            }
        }

        Map<Integer, JsonNode> rules = rulesByPort(policy);
        // Every port the scaler listens on has exactly one rule; nothing else is open.
        assertThat(rules.keySet()).containsExactlyInAnyOrderElementsOf(Yaml.list(container(scaler).path("ports")).stream()
                .map(p -> p.path("containerPort").asInt()).toList());

        JsonNode demand = rules.get(9091);
        assertThat(Yaml.list(demand)).hasSize(1);
        assertThat(demand.get(0).has("namespaceSelector")).as("same namespace only").isFalse();
        JsonNode fromPods = demand.get(0).path("podSelector").path("matchLabels");
        assertThat(selects(fromPods, podLabels(interceptor))).as("interceptor pods may send demand").isTrue();
        for (ObjectNode other : all(objects, "Deployment")) {
            if (other != interceptor) {
                assertThat(selects(fromPods, podLabels(other))).as("%s may send demand", Yaml.id(other)).isFalse();
            }
        }

        JsonNode keda = rules.get(9090);
        assertThat(Yaml.list(keda)).hasSize(1);
        assertThat(keda.get(0).has("podSelector")).isFalse();
        assertThat(labels(keda.get(0).path("namespaceSelector").path("matchLabels")))
                .containsExactly(Map.entry("kubernetes.io/metadata.name", "keda"));

        assertThat(rules.get(9092).isMissingNode()).as("admin port open to anyone by default").isTrue();
    }

    @Test
    void kedasNamespaceAndTheAdminPeersAreConfigurableAndThePolicyCanBeLeftOut() {
        List<ObjectNode> custom = Chart.render(Chart.resource("values-custom.yaml"));
        Map<Integer, JsonNode> rules = rulesByPort(object(custom, "NetworkPolicy", "gw-scaler"));
        assertThat(rules.get(9090).get(0).path("namespaceSelector").path("matchLabels")
                .path("kubernetes.io/metadata.name").asText()).isEqualTo("keda-system");
        assertThat(rules.get(9092).get(0).path("namespaceSelector").path("matchLabels")
                .path("kubernetes.io/metadata.name").asText()).isEqualTo("monitoring");

        assertThat(Chart.render("networkPolicy: {enabled: false}")).noneMatch(o -> Yaml.kind(o).equals("NetworkPolicy"));
    }

    @Test
    void scalerTlsServesBothGrpcPortsFromItsSecretAndInterceptorsTrustItsCa() {
        List<ObjectNode> objects = Chart.render("scaler: {tls: {enabled: true, serverSecret: scaler-cert}}");
        ObjectNode scaler = object(objects, "Deployment", "wakegate-scaler");
        assertThat(args(scaler)).contains("--tls-cert=/etc/wakegate-tls/server/tls.crt",
                "--tls-key=/etc/wakegate-tls/server/tls.key").noneMatch(a -> a.startsWith("--tls-client-ca"));
        assertThat(mountedFiles(scaler)).containsExactlyInAnyOrder("/etc/wakegate-tls/server/tls.crt",
                "/etc/wakegate-tls/server/tls.key");
        assertThat(secrets(scaler)).containsExactly("scaler-cert");
        // The kubelet's gRPC probe has no TLS: readiness comes from /readyz.
        JsonNode readiness = container(scaler).path("readinessProbe");
        assertThat(readiness.has("grpc")).isFalse();
        assertThat(readiness.path("httpGet").path("path").asText()).isEqualTo("/readyz");

        ObjectNode interceptor = object(objects, "Deployment", "wakegate-interceptor");
        JsonNode tls = interceptorConfig(objects).path("scaler").path("tls");
        assertThat(labels(tls)).containsExactly(Map.entry("trustCertificates", "/etc/wakegate-tls/scaler-ca/ca.crt"));
        assertThat(mountedFiles(interceptor)).as("never the scaler's key").containsExactly("/etc/wakegate-tls/scaler-ca/ca.crt");
    }

    @Test
    void mutualTlsMountsTheClientCaInTheScalerAndAClientCertificateInTheInterceptors() {
        List<ObjectNode> objects = Chart.render(MTLS);
        ObjectNode scaler = object(objects, "Deployment", "wakegate-scaler");
        assertThat(args(scaler)).contains("--tls-client-ca=/etc/wakegate-tls/client-ca/ca.crt");
        assertThat(mountedFiles(scaler)).contains("/etc/wakegate-tls/client-ca/ca.crt");
        assertThat(secrets(scaler)).containsExactlyInAnyOrder("scaler-cert", "client-ca");

        ObjectNode interceptor = object(objects, "Deployment", "wakegate-interceptor");
        JsonNode tls = interceptorConfig(objects).path("scaler").path("tls");
        assertThat(labels(tls)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "trustCertificates", "/etc/wakegate-tls/scaler-ca/ca.crt",
                "clientCertificate", "/etc/wakegate-tls/client/tls.crt",
                "clientKey", "/etc/wakegate-tls/client/tls.key"));
        // Every file the interceptor's configuration names is mounted.
        assertThat(mountedFiles(interceptor)).containsExactlyInAnyOrder(tls.path("trustCertificates").asText(),
                tls.path("clientCertificate").asText(), tls.path("clientKey").asText());
        assertThat(secrets(interceptor)).containsExactlyInAnyOrder("scaler-cert", "interceptor-cert");
    }

    @Test
    void mutualTlsWithoutTheInterceptorsCertificateFailsToRenderNamingTheValue() {
        assertThatThrownBy(() -> Chart.render("scaler: {tls: {enabled: true, clientCASecret: client-ca}}"))
                .hasMessageContaining("scaler.tls.interceptorClientSecret: empty (expected: a Secret with tls.crt"
                        + " and tls.key, required with scaler.tls.clientCASecret)");
    }

    private static JsonNode interceptorConfig(List<ObjectNode> objects) {
        return Yaml.read(object(objects, "ConfigMap", "wakegate-interceptor").path("data").path("wakegate.yaml").asText());
    }

    /** Files the workload's container sees from Secret volumes: mount path + item path. */
    private static List<String> mountedFiles(ObjectNode workload) {
        JsonNode pod = workload.path("spec").path("template").path("spec");
        Map<String, JsonNode> secretVolumes = new TreeMap<>();
        for (JsonNode v : pod.path("volumes")) {
            if (v.has("secret")) {
                secretVolumes.put(v.path("name").asText(), v.path("secret"));
            }
        }
        return Yaml.list(container(workload).path("volumeMounts")).stream()
                .filter(m -> secretVolumes.containsKey(m.path("name").asText()))
                .flatMap(m -> Yaml.list(secretVolumes.get(m.path("name").asText()).path("items")).stream()
                        .map(item -> m.path("mountPath").asText() + "/" + item.path("path").asText()))
                .toList();
    }

    private static List<String> secrets(ObjectNode workload) {
        return Yaml.list(workload.path("spec").path("template").path("spec").path("volumes")).stream()
                .filter(v -> v.has("secret")).map(v -> v.path("secret").path("secretName").asText()).toList();
    }
}
