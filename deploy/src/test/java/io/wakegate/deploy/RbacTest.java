package io.wakegate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC grants each component the resources its code calls through fabric8, no more
 * and no fewer. Deliberately simple: the sources are grepped for fabric8 DSL entry points
 * ({@code client.configMaps()}, {@code discovery().v1().endpointSlices()}, ...), each mapped to
 * its API group and resource; the test fails on an entry point it does not know, so a new call
 * forces a look at the chart. Verbs are checked by kind of use: informers need list and watch
 * (get is granted with them, as read access).
 */
class RbacTest {

    /** fabric8 DSL entry point (regex) → "group/resource". */
    private static final Map<String, String> ENTRY_POINTS = new LinkedHashMap<>();

    static {
        ENTRY_POINTS.put("\\.configMaps\\(\\)", "/configmaps");
        ENTRY_POINTS.put("\\.services\\(\\)", "/services");
        ENTRY_POINTS.put("\\.endpointSlices\\(\\)", "discovery.k8s.io/endpointslices");
        ENTRY_POINTS.put("\\.deployments\\(\\)", "apps/deployments");
        ENTRY_POINTS.put("\\.statefulSets\\(\\)", "apps/statefulsets");
        ENTRY_POINTS.put("\\.events\\(\\)", "/events");
        ENTRY_POINTS.put("\\.horizontalPodAutoscalers\\(\\)", "autoscaling/horizontalpodautoscalers");
        ENTRY_POINTS.put("\\.customResourceDefinitions\\(\\)", "apiextensions.k8s.io/customresourcedefinitions");
        ENTRY_POINTS.put("\\.resources\\(ModelHost\\.class\\)", "wakegate.io/modelhosts");
        ENTRY_POINTS.put("subresource\\(\"status\"\\)", "wakegate.io/modelhosts/status");
        ENTRY_POINTS.put("new LeaseLock|\\.leases\\(\\)", "coordination.k8s.io/leases");
        ENTRY_POINTS.put("SCALED_OBJECT\\(\"keda.sh\"", "keda.sh/scaledobjects");
        ENTRY_POINTS.put("VIRTUAL_SERVICE\\(\"networking.istio.io\"", "networking.istio.io/virtualservices");
    }

    /** Permissions the API server checks on objects the code builds, wherever they are built. */
    private static final Map<String, String> OBJECT_POINTS = Map.of(
            // An owner reference that blocks the owner's deletion needs update on the owner's finalizers.
            "withBlockOwnerDeletion\\(true\\)", "wakegate.io/modelhosts/finalizers");

    /** Any call on a client that reaches a resource: must be one of the entry points above. */
    private static final Pattern ANY_RESOURCE_CALL = Pattern.compile(
            "\\b(?:client|kubernetes)\\s*\\.\\s*(?!getMasterUrl|close|getConfiguration|adapt)(\\w+)\\(");

    @Test
    void interceptorIsGrantedExactlyWhatItsKubernetesCodeCalls() {
        Set<String> called = calls(Repo.root().resolve("interceptor/src/main/java"));
        assertThat(called).isEqualTo(Set.of("/configmaps", "/services", "discovery.k8s.io/endpointslices"));

        List<ObjectNode> objects = Chart.render(null);
        Set<String> granted = granted(objects, "wakegate-interceptor");
        assertThat(granted).isEqualTo(called);
        // The route table: only the one ConfigMap, in the release namespace, read-only.
        JsonNode routes = ChartTest.object(objects, "Role", "wakegate-interceptor-routes");
        assertThat(routes.path("metadata").path("namespace").asText()).isEqualTo(Chart.NAMESPACE);
        assertThat(Yaml.list(routes.path("rules").path(0).path("resourceNames"))).extracting(JsonNode::asText)
                .containsExactly("wakegate-routes");
        assertReadOnly(objects, "wakegate-interceptor");
        // Cluster-wide only for what lives in the model namespaces; namespaced when they are listed.
        assertThat(ChartTest.object(objects, "ClusterRole", "wakegate-interceptor").path("rules").toString())
                .doesNotContain("configmaps");
        assertThat(Chart.render("watchNamespaces: [team-a]")).noneMatch(o -> Yaml.kind(o).startsWith("Cluster")
                && Yaml.name(o).contains("interceptor"));
    }

    @Test
    void scalerGetsNoApiAccess() {
        List<ObjectNode> objects = Chart.render(null);
        assertThat(objects).noneMatch(o -> Yaml.kind(o).endsWith("Binding") && o.path("subjects").toString().contains("-scaler\""));
        assertThat(ChartTest.object(objects, "ServiceAccount", "wakegate-scaler").path("automountServiceAccountToken").asBoolean(true))
                .isFalse();
        Path scaler = Repo.root().resolve("scaler-grpc/src/main/java");
        assertThat(calls(scaler)).isEmpty();
        assertThat(grep(scaler, Pattern.compile("io\\.fabric8"))).as("the scaler does not use a Kubernetes client").isEmpty();
    }

    @Test
    void controllerIsGrantedWhatItsCodeCalls() {
        Path sources = Repo.root().resolve("controller/src/main/java");
        assertThat(sources).as("controller sources").isDirectory();
        Set<String> called = calls(sources);
        Set<String> granted = granted(Chart.render(null), "wakegate-controller");
        assertThat(granted).isEqualTo(called);
    }

    @Test
    void controllerDocsListExactlyTheChartsGrants() throws IOException {
        Map<String, Set<String>> documented = new TreeMap<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(Repo.root().resolve("docs/controller.md"))) {
            if (line.startsWith("| API group | resource | verbs |")) {
                inTable = true;
                continue;
            }
            if (inTable && !line.startsWith("|")) {
                break;
            }
            if (!inTable || line.startsWith("|---")) {
                continue;
            }
            String[] cells = line.split("\\|");
            String group = cells[1].trim().replace("`", "").replace("\"\"", "");
            Set<String> verbs = new TreeSet<>(List.of(cells[3].trim().split(",\\s*")));
            Matcher names = Pattern.compile("`([a-z/]+)`").matcher(cells[2].replaceAll("\\(.*\\)", ""));
            while (names.find()) {
                documented.computeIfAbsent(group + "/" + names.group(1), k -> new TreeSet<>()).addAll(verbs);
            }
        }
        assertThat(documented).as("docs/controller.md RBAC table").isNotEmpty();
        assertThat(documented).isEqualTo(grantedVerbs(Chart.render(null), "wakegate-controller"));
    }

    // ---

    /** "group/resource" → verbs of every rule bound to {@code serviceAccount}. */
    private static Map<String, Set<String>> grantedVerbs(List<ObjectNode> objects, String serviceAccount) {
        Map<String, Set<String>> verbs = new TreeMap<>();
        for (ObjectNode role : rolesOf(objects, serviceAccount)) {
            for (JsonNode rule : role.path("rules")) {
                for (JsonNode group : rule.path("apiGroups")) {
                    for (JsonNode resource : rule.path("resources")) {
                        rule.path("verbs").forEach(v -> verbs.computeIfAbsent(group.asText() + "/" + resource.asText(),
                                k -> new TreeSet<>()).add(v.asText()));
                    }
                }
            }
        }
        return verbs;
    }

    /** "group/resource" of every fabric8 entry point in the sources; fails on one it cannot map. */
    private static Set<String> calls(Path sources) {
        Set<String> resources = new TreeSet<>();
        for (Map.Entry<String, String> e : ENTRY_POINTS.entrySet()) {
            if (!grepClientCode(sources, Pattern.compile(e.getKey())).isEmpty()) {
                resources.add(e.getValue());
            }
        }
        OBJECT_POINTS.forEach((pattern, resource) -> {
            if (!grep(sources, Pattern.compile(pattern)).isEmpty()) {
                resources.add(resource);
            }
        });
        for (String call : grepClientCode(sources, ANY_RESOURCE_CALL)) {
            boolean known = ENTRY_POINTS.keySet().stream().anyMatch(k -> Pattern.compile(k).matcher(call).find())
                    || call.matches(".*\\.(apps|autoscaling|discovery|v1|apiextensions|resources|genericKubernetesResources)\\(.*");
            assertThat(known).as("fabric8 call not mapped to an RBAC resource (update RbacTest and the chart): " + call).isTrue();
        }
        return resources;
    }

    /**
     * Like {@link #grep}, over the files that use the Kubernetes client (they import
     * {@code io.fabric8.kubernetes.client}): a Netty channel named {@code client} elsewhere is no API call.
     */
    private static List<String> grepClientCode(Path dir, Pattern pattern) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return Files.readString(f).contains("io.fabric8.kubernetes.client");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).flatMap(f -> grep(f, pattern).stream()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines (trimmed) of the .java files under {@code dir} (or the file {@code dir}) matching {@code pattern}. */
    private static List<String> grep(Path dir, Pattern pattern) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).filter(l -> !l.trim().startsWith("import ") && !l.trim().startsWith("*") && !l.trim().startsWith("//"))
                    .filter(l -> pattern.matcher(l).find()).map(String::trim).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "group/resource" of every rule bound to {@code serviceAccount}. */
    private static Set<String> granted(List<ObjectNode> objects, String serviceAccount) {
        return new TreeSet<>(grantedVerbs(objects, serviceAccount).keySet());
    }

    /** The Roles and ClusterRoles bound to {@code serviceAccount}. */
    private static List<ObjectNode> rolesOf(List<ObjectNode> objects, String serviceAccount) {
        Set<String> roles = new TreeSet<>();
        for (ObjectNode binding : objects) {
            if (Yaml.kind(binding).endsWith("Binding") && binding.path("subjects").toString()
                    .contains("\"name\":\"" + serviceAccount + "\"")) {
                roles.add(binding.path("roleRef").path("kind").asText() + "/" + binding.path("roleRef").path("name").asText());
            }
        }
        return objects.stream().filter(o -> roles.contains(Yaml.kind(o) + "/" + Yaml.name(o))).toList();
    }

    private static void assertReadOnly(List<ObjectNode> objects, String name) {
        for (ObjectNode role : objects) {
            if (Yaml.kind(role).endsWith("Role") && Yaml.name(role).startsWith(name)) {
                for (JsonNode rule : role.path("rules")) {
                    assertThat(Yaml.list(rule.path("verbs"))).extracting(JsonNode::asText).as(Yaml.id(role))
                            .containsExactlyInAnyOrder("get", "list", "watch");
                }
            }
        }
    }

}
