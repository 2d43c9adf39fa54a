package io.wakegate.controller.desired;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.wakegate.controller.crd.ModelHost;
import java.util.Map;

/** Owner references and metadata of generated objects, and the test for "this one is ours". */
public final class Owners {

  private Owners() {
  }

  /**
   * The controller owner reference to {@code host}: deleting the ModelHost deletes the object, and
   * a foreground deletion of the ModelHost waits until the object is gone.
   */
  public static OwnerReference reference(ModelHost host) {
    return new OwnerReferenceBuilder()
        .withApiVersion(ModelHost.API_VERSION)
        .withKind(ModelHost.KIND)
        .withName(host.getMetadata().getName())
        .withUid(host.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** An untyped object generated for {@code host}, in its namespace, labelled and owned by it. */
  static GenericKubernetesResource generated(ModelHost host, String apiVersion, String kind, String name,
      Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(apiVersion)
        .withKind(kind)
        .withMetadata(metadata(host, name))
        .addToAdditionalProperties("spec", spec)
        .build();
  }

  /** Metadata of an object generated for {@code host}: name, namespace, labels, owner. */
  static ObjectMeta metadata(ModelHost host, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(host.getMetadata().getNamespace())
        .withLabels(Names.labels(host))
        .withOwnerReferences(reference(host))
        .build();
  }

  /** True when {@code object} carries a controller reference to {@code host} (same uid). */
  public static boolean ownedBy(HasMetadata object, ModelHost host) {
    return object.getMetadata().getOwnerReferences().stream()
        .anyMatch(ref -> ModelHost.KIND.equals(ref.getKind())
            && host.getMetadata().getUid() != null
            && host.getMetadata().getUid().equals(ref.getUid()));
  }

  /** True when {@code object} is controlled by some ModelHost (any uid): one we generated. */
  public static boolean ownedByAnyModelHost(HasMetadata object) {
    return object.getMetadata().getOwnerReferences().stream()
        .anyMatch(ref -> ModelHost.KIND.equals(ref.getKind()) && ref.getApiVersion() != null
            && ref.getApiVersion().startsWith(ModelHost.GROUP + "/"));
  }
}
