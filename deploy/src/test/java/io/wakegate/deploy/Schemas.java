package io.wakegate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.wakegate.kubetest.ReferenceCrds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates Kubernetes objects offline, and says how.
 *
 * <ul>
 *   <li><b>Built-in kinds</b> (and the Prometheus Operator's ServiceMonitor): read into fabric8's
 *   typed model (7.5.2, generated from the Kubernetes OpenAPI). Fails on a wrong type (a string
 *   where an integer is expected, an object where a list is), an unknown apiVersion/kind, and —
 *   because fabric8 keeps unknown fields in {@code additionalProperties} instead of failing — on any
 *   such field left anywhere in the object graph (a misspelt or misplaced key). It does not check
 *   required fields, enums or formats (the API server does; the chart's tests assert the ones that
 *   matter).</li>
 *   <li><b>Custom resources</b> (ScaledObject, VirtualService, ModelHost): their CRD's
 *   openAPIV3Schema (the reference CRDs kept in kube-test, deploy/crds), made strict — {@code additionalProperties: false}
 *   wherever the API server would prune unknown fields — with types, enums, required fields,
 *   patterns and bounds checked (JSON Schema draft 4, networknt).</li>
 * </ul>
 */
final class Schemas {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private final Map<String, Schema> crdSchemas = new HashMap<>();

    /** Schemas of the reference CRDs plus the generated ones (when present). */
    static Schemas standard() {
        Schemas schemas = new Schemas();
        for (ReferenceCrds crd : ReferenceCrds.values()) {
            try (var in = crd.open()) {
                schemas.addCrds(crd.file(), Yaml.documents(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Repo.generatedCrdFiles().forEach(schemas::addCrds);
        return schemas;
    }

    /** Adds every version of every CRD in {@code file}. */
    void addCrds(Path file) {
        addCrds(file.toString(), Yaml.documents(file));
    }

    /** Adds every version of every CRD in {@code documents}, read from {@code file}. */
    void addCrds(String file, List<ObjectNode> documents) {
        for (ObjectNode crd : documents) {
            if (!"CustomResourceDefinition".equals(Yaml.kind(crd))) {
                continue;
            }
            String group = crd.path("spec").path("group").asText();
            String kind = crd.path("spec").path("names").path("kind").asText();
            for (JsonNode version : crd.path("spec").path("versions")) {
                JsonNode openApi = version.path("schema").path("openAPIV3Schema").deepCopy();
                if (openApi.isMissingNode()) {
                    throw new AssertionError(file + ": " + kind + " " + version.path("name").asText() + " has no openAPIV3Schema");
                }
                // Some CRDs (Istio's) describe only spec and status at the root; every object has these.
                ObjectNode root = (ObjectNode) openApi;
                ObjectNode props = root.has("properties") ? (ObjectNode) root.get("properties") : root.putObject("properties");
                if (!props.has("apiVersion")) {
                    props.putObject("apiVersion").put("type", "string");
                }
                if (!props.has("kind")) {
                    props.putObject("kind").put("type", "string");
                }
                if (!props.has("metadata")) {
                    props.putObject("metadata").put("type", "object");
                }
                strict(openApi);
                Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                        .getSchema(Yaml.write(openApi), InputFormat.YAML);
                crdSchemas.put(group + "/" + version.path("name").asText() + "|" + kind, schema);
            }
        }
    }

    boolean hasCrd(JsonNode object) {
        return crdSchemas.containsKey(object.path("apiVersion").asText() + "|" + Yaml.kind(object));
    }

    /** Whether fabric8 has a typed model for the object's apiVersion and kind. */
    static boolean isTyped(JsonNode object) {
        return !(SERIALIZATION.unmarshal(Yaml.write(object), KubernetesResource.class) instanceof GenericKubernetesResource);
    }

    /** Problems of {@code object}; empty when valid. Throws when there is no way to check its kind. */
    List<String> validate(JsonNode object) {
        Schema schema = crdSchemas.get(object.path("apiVersion").asText() + "|" + Yaml.kind(object));
        if (schema != null) {
            return schema.validate(Yaml.write(object), InputFormat.YAML).stream()
                    .map(Error::toString).map(m -> Yaml.id(object) + ": " + m).toList();
        }
        Object typed;
        try {
            typed = SERIALIZATION.unmarshal(Yaml.write(object), KubernetesResource.class);
        } catch (RuntimeException e) {
            return List.of(Yaml.id(object) + ": " + e.getMessage());
        }
        if (typed instanceof GenericKubernetesResource) {
            throw new AssertionError(Yaml.id(object) + " (" + object.path("apiVersion").asText()
                    + "): no schema known for this kind");
        }
        List<String> problems = new ArrayList<>();
        unknownFields(typed, "", problems, new IdentityHashMap<>());
        return problems.stream().map(p -> Yaml.id(object) + ": unknown field " + p).toList();
    }

    /** Adds additionalProperties: false wherever the API server prunes unknown fields. */
    private static void strict(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            if (object.has("properties") && !object.has("additionalProperties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                object.put("additionalProperties", false);
            }
            object.remove(List.of("x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
                    "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
                    "x-kubernetes-validations", "x-kubernetes-embedded-resource"));
            object.elements().forEachRemaining(Schemas::strict);
        } else if (node.isArray()) {
            node.forEach(Schemas::strict);
        }
    }

    /** Walks fabric8 model objects and reports any non-empty additionalProperties with its path. */
    private static void unknownFields(Object value, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
                    continue;
                }
                field.setAccessible(true);
                Object fieldValue;
                try {
                    fieldValue = field.get(value);
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
                if (field.getName().equals("additionalProperties") && fieldValue instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> problems.add(path + "." + k));
                } else {
                    unknownFields(fieldValue, path + "." + field.getName(), problems, seen);
                }
            }
        }
    }

    static Set<String> kinds(List<? extends JsonNode> objects) {
        return new java.util.TreeSet<>(objects.stream().map(Yaml::kind).toList());
    }
}
