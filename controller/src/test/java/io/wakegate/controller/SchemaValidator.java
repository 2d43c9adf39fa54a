package io.wakegate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.wakegate.kubetest.ReferenceCrds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Validates objects against the real KEDA and Istio CRD schemas kept in the repository
 * ({@link ReferenceCrds}, in the kube-test module). The schemas are made strict the way the
 * API server's pruning is: an object schema that lists properties and does not preserve unknown
 * fields rejects any other property, so a misspelt field fails here instead of being silently
 * dropped by the cluster.
 */
public final class SchemaValidator {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Schema> SCHEMAS = new HashMap<>();

  private SchemaValidator() {
  }

  /** The validation errors of {@code object} against the ref CRD of its kind and version. */
  public static List<String> errors(GenericKubernetesResource object) {
    Schema schema = schemaFor(object.getApiVersion(), object.getKind());
    String json = Serialization.asJson(object);
    return schema.validate(json, InputFormat.JSON).stream().map(Error::toString).toList();
  }

  public static void assertValid(GenericKubernetesResource object) {
    assertThat(errors(object)).as("%s %s against its reference CRD", object.getKind(), object.getMetadata().getName())
        .isEmpty();
  }

  private static synchronized Schema schemaFor(String apiVersion, String kind) {
    return SCHEMAS.computeIfAbsent(apiVersion + "/" + kind, key -> load(apiVersion, kind));
  }

  private static Schema load(String apiVersion, String kind) {
    ReferenceCrds file = switch (kind) {
      case "ScaledObject" -> ReferenceCrds.SCALED_OBJECT;
      case "VirtualService" -> ReferenceCrds.VIRTUAL_SERVICE;
      default -> throw new AssertionError("no reference CRD for kind " + kind);
    };
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    try {
      JsonNode crd = null;
      List<JsonNode> docs;
      try (java.io.InputStream in = file.open()) {
        docs = new YAMLMapper().readValues(new YAMLMapper().createParser(in), JsonNode.class).readAll();
      }
      for (JsonNode doc : docs) {
        if (doc != null && "CustomResourceDefinition".equals(doc.path("kind").asText())) {
          crd = doc;
        }
      }
      if (crd == null) {
        throw new AssertionError(file + " holds no CustomResourceDefinition");
      }
      if (!kind.equals(crd.path("spec").path("names").path("kind").asText())) {
        throw new AssertionError(file + " defines " + crd.path("spec").path("names").path("kind").asText() + ", not " + kind);
      }
      for (JsonNode v : crd.path("spec").path("versions")) {
        if (version.equals(v.path("name").asText())) {
          JsonNode openApi = v.path("schema").path("openAPIV3Schema").deepCopy();
          if (openApi.isMissingNode() || openApi.isEmpty()) {
            throw new AssertionError(file + " version " + version + " has no openAPIV3Schema");
          }
          // The API server always accepts these at the root, whether the schema lists them or not.
          ObjectNode properties = ((ObjectNode) openApi).with("properties");
          properties.putIfAbsent("apiVersion", JSON.createObjectNode().put("type", "string"));
          properties.putIfAbsent("kind", JSON.createObjectNode().put("type", "string"));
          properties.putIfAbsent("metadata", JSON.createObjectNode().put("type", "object"));
          strict(openApi);
          return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
              .getSchema(JSON.writeValueAsString(openApi), InputFormat.JSON);
        }
      }
      throw new AssertionError(file + " has no version " + version);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds additionalProperties: false wherever the API server would prune unknown fields. */
  private static void strict(JsonNode node) {
    if (node instanceof ObjectNode object) {
      if (object.has("properties") && !object.has("additionalProperties")
          && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        object.put("additionalProperties", false);
      }
      for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
        strict(it.next());
      }
    } else if (node != null && node.isArray()) {
      node.forEach(SchemaValidator::strict);
    }
  }
}
