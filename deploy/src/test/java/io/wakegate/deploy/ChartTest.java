package io.wakegate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.LintResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Helm chart renders, lints and produces valid, secure, consistent objects. */
class ChartTest {

    private static final String CUSTOM = Chart.resource("values-custom.yaml");
    private static Schemas schemas;
    private static List<ObjectNode> defaults;
    private static List<ObjectNode> custom;

    @BeforeAll
    static void render() {
        schemas = Schemas.standard();
        defaults = Chart.render(null);
        custom = Chart.render(CUSTOM);
    }

    @Test
    void lintsStrictWithDefaultValues() {
        LintResult result = Chart.lint(null);
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void lintsStrictWithNonDefaultValues() {
        LintResult result = Chart.lint(CUSTOM);
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void defaultValuesRenderEveryComponent() {
        assertThat(Schemas.kinds(defaults)).containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "Deployment",
                "Service", "PodDisruptionBudget", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
                "NetworkPolicy");
        assertThat(names(defaults, "Deployment")).containsExactlyInAnyOrder(
                "wakegate-interceptor", "wakegate-scaler", "wakegate-controller");
        // The controller's own defaults (--interceptor-service wakegate-interceptor, scaler wakegate-scaler)
        // match these names, so a hand-run controller finds a default install too.
        assertThat(names(defaults, "Service")).containsExactlyInAnyOrder("wakegate-interceptor",
                "wakegate-interceptor-admin", "wakegate-scaler", "wakegate-scaler-demand", "wakegate-controller-metrics");
    }

    @Test
    void nonDefaultValuesRenderOptionalObjects() {
        assertThat(Schemas.kinds(custom)).contains("HorizontalPodAutoscaler", "ServiceMonitor");
        assertThat(custom).noneMatch(o -> Yaml.kind(o).startsWith("Cluster") && !Yaml.name(o).endsWith("-controller-crds"));
        for (String ns : List.of("team-a", "team-b")) {
            assertThat(custom).filteredOn(o -> Yaml.kind(o).equals("Role")
                    && o.path("metadata").path("namespace").asText().equals(ns)).hasSize(2);
        }
        ObjectNode interceptor = object(custom, "Deployment", "gw-interceptor");
        assertThat(interceptor.path("spec").has("replicas")).as("replicas left to the HPA").isFalse();
        assertThat(container(interceptor).path("image").asText())
                .isEqualTo("registry.example.com/ml/wakegate/interceptor:0.1.0-rc1");
        assertThat(args(object(custom, "Deployment", "gw-controller")))
                .contains("--namespace=team-a,team-b", "--scaler-address=gw-scaler.wakegate.svc.k8s.example.internal:9090",
                        "--interceptor-service=gw-interceptor", "--interceptor-port=8000");
    }

    @Test
    void controllerCanBeLeftOut() {
        List<ObjectNode> objects = Chart.render("controller: {enabled: false}");
        assertThat(objects).noneMatch(o -> Yaml.name(o).contains("controller"));
        assertThat(names(objects, "Deployment")).containsExactlyInAnyOrder("wakegate-interceptor", "wakegate-scaler");
    }

    @Test
    void everyRenderedObjectValidatesAgainstItsSchema() {
        for (List<ObjectNode> objects : List.of(defaults, custom)) {
            List<String> problems = new ArrayList<>();
            objects.forEach(o -> problems.addAll(schemas.validate(o)));
            assertThat(problems).isEmpty();
        }
    }

    @Test
    void schemaCheckCatchesMistakes() {
        ObjectNode deployment = object(defaults, "Deployment", "wakegate-scaler").deepCopy();
        ((ObjectNode) deployment.path("spec").path("template").path("spec")).put("serviceAcountName", "typo");
        ((ObjectNode) deployment.path("spec")).put("replicas", "two");
        assertThat(schemas.validate(withoutReplicas(deployment))).anyMatch(p -> p.contains("serviceAcountName"));
        assertThat(schemas.validate(deployment)).isNotEmpty();
    }

    @Test
    void podsAreLockedDown() {
        for (List<ObjectNode> objects : List.of(defaults, custom)) {
            for (ObjectNode deployment : all(objects, "Deployment")) {
                JsonNode pod = deployment.path("spec").path("template").path("spec");
                assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(Yaml.id(deployment)).isTrue();
                assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
                for (JsonNode c : pod.path("containers")) {
                    JsonNode sc = c.path("securityContext");
                    assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).as(Yaml.id(deployment)).isTrue();
                    assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
                    assertThat(Yaml.list(sc.path("capabilities").path("drop"))).extracting(JsonNode::asText).containsExactly("ALL");
                    assertThat(c.path("resources").path("requests").path("cpu").isMissingNode()).isFalse();
                    assertThat(c.path("resources").path("requests").path("memory").isMissingNode()).isFalse();
                    assertThat(c.path("resources").path("limits").path("memory").isMissingNode()).isFalse();
                    assertThat(Yaml.list(c.path("volumeMounts"))).extracting(m -> m.path("mountPath").asText()).contains("/tmp");
                }
            }
        }
    }

    @Test
    void probesUseTheAdminEndpointsAndGrpcHealth() {
        JsonNode interceptor = container(object(defaults, "Deployment", "wakegate-interceptor"));
        assertThat(interceptor.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(interceptor.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
        assertThat(interceptor.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("admin");
        JsonNode scaler = container(object(defaults, "Deployment", "wakegate-scaler"));
        assertThat(scaler.path("readinessProbe").path("grpc").path("port").asInt()).isEqualTo(9090);
        assertThat(scaler.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
        ObjectNode controllerDeployment = object(defaults, "Deployment", "wakegate-controller");
        JsonNode controller = container(controllerDeployment);
        assertThat(controller.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(controller.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
        assertThat(controller.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("admin");
        assertThat(Yaml.list(controller.path("ports"))).extracting(p -> p.path("name").asText() + ":" + p.path("containerPort").asInt())
                .containsExactly("admin:9093");
        assertThat(args(controllerDeployment)).contains("--admin-port=9093");
    }

    @Test
    void controllerMetricsServiceIsScrapedLikeTheOthers() {
        ObjectNode service = object(defaults, "Service", "wakegate-controller-metrics");
        assertThat(service.path("metadata").path("labels").path("wakegate.io/metrics").asText()).isEqualTo("true");
        assertThat(Yaml.list(service.path("spec").path("ports"))).extracting(p -> p.path("name").asText() + ":"
                + p.path("port").asInt() + ":" + p.path("targetPort").asText()).containsExactly("admin:9093:admin");
        assertThat(service.path("spec").path("selector").path("app.kubernetes.io/component").asText()).isEqualTo("controller");
    }

    @Test
    void interceptorConfigIsKubernetesModeAndPointsAtTheHeadlessDemandService() {
        for (List<ObjectNode> objects : List.of(defaults, custom)) {
            ObjectNode deployment = all(objects, "Deployment").stream()
                    .filter(d -> Yaml.name(d).endsWith("-interceptor")).findFirst().orElseThrow();
            ObjectNode map = object(objects, "ConfigMap", Yaml.name(deployment));
            JsonNode config = Yaml.read(map.path("data").path("wakegate.yaml").asText());
            assertThat(Yaml.list(config).size()).isPositive();
            Set<String> known = Set.of("server", "limits", "forwarding", "shutdown", "scaler", "kubernetes", "routes");
            config.fieldNames().forEachRemaining(f -> assertThat(known).as("top-level key of wakegate.yaml").contains(f));
            assertThat(config.path("kubernetes").path("routeTable").path("namespace").asText()).isEqualTo(Chart.NAMESPACE);
            assertThat(config.path("kubernetes").path("routeTable").path("configMap").asText()).isEqualTo("wakegate-routes");
            assertThat(config.path("kubernetes").path("routeTable").path("key").asText()).isEqualTo("routes.json");

            // dns:///NAME.NS.svc.DOMAIN:PORT must name a headless Service that publishes unready scalers.
            String address = config.path("scaler").path("address").asText();
            assertThat(address).startsWith("dns:///");
            String hostPort = address.substring("dns:///".length());
            String service = hostPort.substring(0, hostPort.indexOf('.'));
            int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
            ObjectNode headless = object(objects, "Service", service);
            assertThat(headless.path("spec").path("clusterIP").asText()).isEqualTo("None");
            assertThat(headless.path("spec").path("publishNotReadyAddresses").asBoolean()).isTrue();
            assertThat(Yaml.list(headless.path("spec").path("ports"))).extracting(p -> p.path("port").asInt()).containsExactly(port);

            // Ports in the config are the ones the container and probes use.
            JsonNode c = container(deployment);
            assertThat(Yaml.list(c.path("ports"))).extracting(p -> p.path("containerPort").asInt())
                    .containsExactly(config.path("server").path("port").asInt(), config.path("server").path("adminPort").asInt());

            // The pod outlives the drain: readinessDelay + drainTimeout < terminationGracePeriodSeconds.
            Duration drain = duration(config.path("shutdown").path("readinessDelay").asText())
                    .plus(duration(config.path("shutdown").path("drainTimeout").asText()));
            long grace = deployment.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong();
            assertThat(Duration.ofSeconds(grace)).isGreaterThan(drain);

            // A configuration change rolls the pods.
            assertThat(deployment.path("spec").path("template").path("metadata").path("annotations")
                    .path("checksum/config").asText()).hasSize(64);
        }
    }

    @Test
    void adminListenerServesProbesInsideTheClusterAndTakesItsTokenFromASecret() {
        for (List<ObjectNode> objects : List.of(defaults, custom)) {
            ObjectNode deployment = all(objects, "Deployment").stream()
                    .filter(d -> Yaml.name(d).endsWith("-interceptor")).findFirst().orElseThrow();
            JsonNode server = Yaml.read(object(objects, "ConfigMap", Yaml.name(deployment)).path("data")
                    .path("wakegate.yaml").asText()).path("server");
            // Probes and scrapes come to the pod IP, so the (loopback by default) admin listener binds every address.
            assertThat(server.path("adminBindAddress").asText()).isEqualTo("0.0.0.0");
            // ... and its Service stays cluster-internal, whatever type the proxy Service has.
            assertThat(object(objects, "Service", Yaml.name(deployment) + "-admin").path("spec").path("type").asText())
                    .isEqualTo("ClusterIP");
        }
        ObjectNode defaultDeployment = object(defaults, "Deployment", "wakegate-interceptor");
        assertThat(Yaml.read(object(defaults, "ConfigMap", "wakegate-interceptor").path("data").path("wakegate.yaml")
                .asText()).path("server").has("adminTokenFile")).isFalse();
        assertThat(Yaml.list(defaultDeployment.path("spec").path("template").path("spec").path("volumes")))
                .noneMatch(v -> v.has("secret") && v.path("name").asText().equals("admin-token"));

        // With a Secret: mounted read-only, and the configuration reads the token from that file.
        ObjectNode deployment = object(custom, "Deployment", "gw-interceptor");
        String tokenFile = Yaml.read(object(custom, "ConfigMap", "gw-interceptor").path("data").path("wakegate.yaml")
                .asText()).path("server").path("adminTokenFile").asText();
        JsonNode volume = Yaml.list(deployment.path("spec").path("template").path("spec").path("volumes")).stream()
                .filter(v -> v.path("name").asText().equals("admin-token")).findFirst().orElseThrow();
        assertThat(volume.path("secret").path("secretName").asText()).isEqualTo("wakegate-admin");
        JsonNode item = volume.path("secret").path("items").path(0);
        assertThat(item.path("key").asText()).isEqualTo("admin-token");
        JsonNode mount = Yaml.list(container(deployment).path("volumeMounts")).stream()
                .filter(m -> m.path("name").asText().equals("admin-token")).findFirst().orElseThrow();
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
        assertThat(tokenFile).isEqualTo(mount.path("mountPath").asText() + "/" + item.path("path").asText());
    }

    @Test
    void controllerFlagsNameTheRenderedServices() {
        for (List<ObjectNode> objects : List.of(defaults, custom)) {
            ObjectNode controller = all(objects, "Deployment").stream()
                    .filter(d -> Yaml.name(d).endsWith("-controller")).findFirst().orElseThrow();
            List<String> args = args(controller);
            String interceptor = flag(args, "--interceptor-service");
            int port = Integer.parseInt(flag(args, "--interceptor-port"));
            assertThat(Yaml.list(object(objects, "Service", interceptor).path("spec").path("ports")))
                    .extracting(p -> p.path("port").asInt()).contains(port);
            String scaler = flag(args, "--scaler-address");
            ObjectNode scalerService = object(objects, "Service", scaler.substring(0, scaler.indexOf('.')));
            assertThat(scalerService.path("spec").has("clusterIP")).isFalse();
            assertThat(Yaml.list(scalerService.path("spec").path("ports"))).extracting(p -> p.path("port").asInt())
                    .contains(Integer.parseInt(scaler.substring(scaler.lastIndexOf(':') + 1)));
            assertThat(args).contains("--leader-election", "--wakegate-namespace=" + Chart.NAMESPACE);
        }
    }

    @Test
    void theScalerAuthenticationReachesTheControllerOnlyWhenSet() {
        List<String> none = args(object(defaults, "Deployment", "wakegate-controller"));
        assertThat(none).noneMatch(a -> a.startsWith("--scaler-authentication"));
        List<ObjectNode> tls = Chart.render("controller: {scalerAuthentication: ClusterTriggerAuthentication/wakegate-scaler}");
        assertThat(args(object(tls, "Deployment", "wakegate-controller")))
                .contains("--scaler-authentication=ClusterTriggerAuthentication/wakegate-scaler");
    }

    @Test
    void selectorsMatchTheirPods() {
        for (ObjectNode service : all(defaults, "Service")) {
            JsonNode selector = service.path("spec").path("selector");
            long matching = all(defaults, "Deployment").stream().filter(d -> {
                JsonNode labels = d.path("spec").path("template").path("metadata").path("labels");
                List<String> missing = new ArrayList<>();
                selector.fields().forEachRemaining(e -> {
                    if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) {
                        missing.add(e.getKey());
                    }
                });
                return missing.isEmpty();
            }).count();
            assertThat(matching).as(Yaml.id(service)).isEqualTo(1);
        }
    }

    // --- helpers shared by the tests of this package

    static List<ObjectNode> all(List<ObjectNode> objects, String kind) {
        return objects.stream().filter(o -> Yaml.kind(o).equals(kind)).toList();
    }

    static ObjectNode object(List<ObjectNode> objects, String kind, String name) {
        return objects.stream().filter(o -> Yaml.kind(o).equals(kind) && Yaml.name(o).equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(kind + " " + name + " not rendered"));
    }

    static List<String> names(List<ObjectNode> objects, String kind) {
        return all(objects, kind).stream().map(Yaml::name).toList();
    }

    static JsonNode container(JsonNode workload) {
        return workload.path("spec").path("template").path("spec").path("containers").path(0);
    }

    static List<String> args(JsonNode workload) {
        return Yaml.list(container(workload).path("args")).stream().map(JsonNode::asText).toList();
    }

    private static String flag(List<String> args, String name) {
        return args.stream().filter(a -> a.startsWith(name + "=")).map(a -> a.substring(name.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError(name + " missing in " + args));
    }

    private static ObjectNode withoutReplicas(ObjectNode deployment) {
        ObjectNode copy = deployment.deepCopy();
        ((ObjectNode) copy.path("spec")).remove("replicas");
        return copy;
    }

    /** The interceptor's duration syntax: a number and ms, s, m or h. */
    static Duration duration(String value) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(value);
        assertThat(m.matches()).as("duration " + value).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
