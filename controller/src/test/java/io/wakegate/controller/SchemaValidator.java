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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Validates objects against the real KEDA and Istio CRD schemas in {@code shared/ref/} (beside
 * the repository: {@code ../shared/ref} from its root). The schemas are made strict the way the
 * API server's pruning is: an object schema that lists properties and does not preserve unknown
 * fields rejects any other property, so a misspelt field fails here instead of being silently
 * dropped by the cluster.
 */
public final class SchemaValidator {

  /** The reference CRDs: ScaledObject and VirtualService. */
  public static final String KEDA_CRD = "keda.sh_scaledobjects.yaml";
  public static final String ISTIO_CRD = "istio-virtualservices.crd.yaml";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Schema> SCHEMAS = new HashMap<>();

  private SchemaValidator() {
  }

  /** The folder of reference CRDs; fails the test run if it cannot be found. */
  public static Path refDir() {
    String explicit = System.getProperty("wakegate.shared.ref");
    if (explicit != null) {
      return requireRef(Path.of(explicit));
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("ref");
      if (Files.isRegularFile(candidate.resolve(KEDA_CRD))) {
        return candidate;
      }
    }
    throw new AssertionError("shared/ref with " + KEDA_CRD + " and " + ISTIO_CRD + " not found beside the repository"
        + " (looked in every parent of " + Path.of("").toAbsolutePath() + "); set -Dwakegate.shared.ref=DIR");
  }

  private static Path requireRef(Path dir) {
    if (!Files.isRegularFile(dir.resolve(KEDA_CRD)) || !Files.isRegularFile(dir.resolve(ISTIO_CRD))) {
      throw new AssertionError("reference CRDs missing in " + dir.toAbsolutePath());
    }
    return dir;
  }

  /** The validation errors of {@code object} against the ref CRD of its kind and version. */
  public static List<String> errors(GenericKubernetesResource object) {
    Schema schema = schemaFor(object.getApiVersion(), object.getKind());
    String json = Serialization.asJson(object);
    return schema.validate(json, InputFormat.JSON).stream().map(Error::toString).toList();
  }

  public static void assertValid(GenericKubernetesResource object) {
    assertThat(errors(object)).as("%s %s against %s", object.getKind(), object.getMetadata().getName(),
        refDir()).isEmpty();
  }

  private static synchronized Schema schemaFor(String apiVersion, String kind) {
    return SCHEMAS.computeIfAbsent(apiVersion + "/" + kind, key -> load(apiVersion, kind));
  }

  private static Schema load(String apiVersion, String kind) {
    String file = switch (kind) {
      case "ScaledObject" -> KEDA_CRD;
      case "VirtualService" -> ISTIO_CRD;
      default -> throw new AssertionError("no reference CRD for kind " + kind);
    };
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    try {
      JsonNode crd = null;
      for (JsonNode doc : new YAMLMapper().readValues(new YAMLMapper().createParser(refDir().resolve(file).toFile()),
          JsonNode.class).readAll()) {
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
