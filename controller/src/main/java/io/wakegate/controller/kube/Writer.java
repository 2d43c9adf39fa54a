package io.wakegate.controller.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostStatus;
import io.wakegate.controller.desired.Names;
import io.wakegate.controller.desired.Owners;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every write the controller makes. Generated objects are created, or replaced with the
 * cached object's resourceVersion (optimistic locking: a concurrent writer makes the update fail
 * with 409 and the pass is retried), and only when a field the controller owns differs. The
 * status is written with a JSON patch of {@code /status} only. Nothing is written with
 * server-side apply or strategic merge patch.
 *
 * <p>Called from the reconcile thread only.
 */
public final class Writer {

  private static final Logger log = LoggerFactory.getLogger(Writer.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What {@link #apply} did. */
  public enum Outcome { CREATED, UPDATED, UNCHANGED, NOT_OWNED }

  private final KubernetesClient client;
  private final Clock clock;

  public Writer(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /**
   * Makes the stored object match {@code desired} in the fields the controller owns (spec, its
   * labels, its owner reference), leaving everything else (status, other labels, annotations)
   * as it is.
   *
   * @param current the object in the cache, or null
   * @param owner the ModelHost that must control the object
   */
  public Outcome apply(Apis api, GenericKubernetesResource desired, GenericKubernetesResource current, ModelHost owner) {
    var resources = client.genericKubernetesResources(api.context()).inNamespace(desired.getMetadata().getNamespace());
    if (current == null) {
      try {
        resources.resource(desired).create();
        log.info("{}: created {} {}", Names.key(owner), api.kind(), desired.getMetadata().getName());
        return Outcome.CREATED;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        // Exists but is not in our label-selected cache: someone else's object, or ours with the label removed.
        current = resources.withName(desired.getMetadata().getName()).get();
        if (current == null) {
          throw e;
        }
      }
    }
    if (!Owners.ownedBy(current, owner)) {
      return Outcome.NOT_OWNED;
    }
    if (owns(current, desired)) {
      return Outcome.UNCHANGED;
    }
    GenericKubernetesResource updated = Serialization.clone(current);
    updated.setAdditionalProperty("spec", desired.getAdditionalProperties().get("spec"));
    Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(updated.getMetadata().getLabels(), Map.of()));
    labels.putAll(desired.getMetadata().getLabels());
    updated.getMetadata().setLabels(labels);
    List<OwnerReference> owners = new ArrayList<>(updated.getMetadata().getOwnerReferences());
    owners.removeIf(ref -> ModelHost.KIND.equals(ref.getKind()));
    owners.addAll(desired.getMetadata().getOwnerReferences());
    updated.getMetadata().setOwnerReferences(owners);
    resources.resource(updated).update();
    log.info("{}: updated {} {}", Names.key(owner), api.kind(), desired.getMetadata().getName());
    return Outcome.UPDATED;
  }

  /** Deletes a generated object (one the cache lists under the managed-by label). */
  public void delete(Apis api, GenericKubernetesResource current, String why) {
    client.genericKubernetesResources(api.context()).inNamespace(current.getMetadata().getNamespace())
        .withName(current.getMetadata().getName()).delete();
    log.info("{}/{}: deleted {} ({})", current.getMetadata().getNamespace(), current.getMetadata().getName(),
        api.kind(), why);
  }

  /**
   * Writes the route table's JSON into the ConfigMap, creating it if needed.
   *
   * @param current the ConfigMap in the cache, or null
   */
  public void writeRouteTable(String namespace, ConfigMap current, String json) {
    Map<String, String> labels = Map.of(Names.MANAGED_BY_LABEL, Names.MANAGED_BY);
    if (current == null) {
      client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
          .withNewMetadata().withName(Names.ROUTE_TABLE_CONFIGMAP).withNamespace(namespace).withLabels(labels).endMetadata()
          .addToData(Names.ROUTE_TABLE_KEY, json)
          .build()).create();
      return;
    }
    ConfigMap updated = Serialization.clone(current);
    Map<String, String> data = new HashMap<>(Objects.requireNonNullElse(updated.getData(), Map.of()));
    data.put(Names.ROUTE_TABLE_KEY, json);
    updated.setData(data);
    Map<String, String> merged = new HashMap<>(Objects.requireNonNullElse(updated.getMetadata().getLabels(), Map.of()));
    merged.putAll(labels);
    updated.getMetadata().setLabels(merged);
    client.configMaps().inNamespace(namespace).resource(updated).update();
  }

  /**
   * Replaces the ModelHost's status with {@code status}: a JSON patch {@code add /status} on the
   * status subresource, which sets the whole status (lists included) in one step. A JSON merge
   * patch would do on a real API server, but Fabric8's mock server appends to lists on merge.
   */
  public void writeStatus(ModelHost host, ModelHostStatus status) {
    String patch;
    try {
      patch = MAPPER.writeValueAsString(List.of(Map.of("op", "add", "path", "/status", "value", status)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("status always serializes", e);
    }
    client.resources(ModelHost.class).inNamespace(host.getMetadata().getNamespace())
        .withName(host.getMetadata().getName()).subresource("status")
        .patch(PatchContext.of(PatchType.JSON), patch);
  }

  /**
   * Records a core/v1 Event on the ModelHost; a failure is logged, never thrown. Events are
   * deduplicated the way Kubernetes' own recorder does it: the same type, reason and message on
   * the same object make one Event whose {@code count} and {@code lastTimestamp} advance.
   */
  public void event(ModelHost host, boolean warning, String reason, String message) {
    String now = clock.instant().toString();
    String namespace = host.getMetadata().getNamespace();
    String name = host.getMetadata().getName() + "." + eventHash(host.getMetadata().getUid(), warning, reason, message);
    var events = client.v1().events().inNamespace(namespace);
    try {
      io.fabric8.kubernetes.api.model.Event existing = events.withName(name).get();
      if (existing != null) {
        existing.setCount(existing.getCount() == null ? 2 : existing.getCount() + 1);
        existing.setLastTimestamp(now);
        events.resource(existing).update();
        return;
      }
      events.resource(new EventBuilder()
          .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
          .withNewInvolvedObject()
          .withApiVersion(ModelHost.API_VERSION).withKind(ModelHost.KIND)
          .withNamespace(namespace).withName(host.getMetadata().getName())
          .withUid(host.getMetadata().getUid())
          .endInvolvedObject()
          .withType(warning ? "Warning" : "Normal")
          .withReason(reason)
          .withMessage(message)
          .withNewSource().withComponent(Names.COMPONENT).endSource()
          .withReportingComponent(Names.COMPONENT)
          .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
          .build()).create();
    } catch (KubernetesClientException e) {
      log.warn("{}: event {} not recorded: {}", Names.key(host), reason, e.getMessage());
    }
  }

  /** 16 hex digits of SHA-256 over what makes two Events the same one. */
  private static String eventHash(String uid, boolean warning, String reason, String message) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(
          (uid + "\n" + warning + "\n" + reason + "\n" + message).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JRE", e);
    }
  }

  /** True when {@code current} already has {@code desired}'s spec, labels and owner reference. */
  static boolean owns(HasMetadata current, GenericKubernetesResource desired) {
    GenericKubernetesResource cur = (GenericKubernetesResource) current;
    Map<String, String> labels = Objects.requireNonNullElse(cur.getMetadata().getLabels(), Map.of());
    boolean labelled = desired.getMetadata().getLabels().entrySet().stream()
        .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    return labelled
        && cur.getMetadata().getOwnerReferences().containsAll(desired.getMetadata().getOwnerReferences())
        && Subset.contains(cur.getAdditionalProperties().get("spec"), desired.getAdditionalProperties().get("spec"));
  }
}
