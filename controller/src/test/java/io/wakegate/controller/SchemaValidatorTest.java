package io.wakegate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.wakegate.controller.desired.ScaledObjects;
import io.wakegate.controller.desired.VirtualServices;
import io.wakegate.controller.desired.ResolvedTarget;
import io.wakegate.controller.crd.TargetSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The validator itself must be able to fail: misspelt fields and out-of-range values are caught. */
class SchemaValidatorTest {

  @Test
  @SuppressWarnings("unchecked")
  void rejectsUnknownFieldsAndBadValuesInAScaledObject() {
    GenericKubernetesResource so = ScaledObjects.desired(ModelHosts.modelHost("ml", "llama"),
        new ResolvedTarget(TargetSpec.WorkloadKind.Deployment, "llama", "llama", 8000, ""), ModelHosts.SETTINGS);
    assertThat(SchemaValidator.errors(so)).isEmpty();

    GenericKubernetesResource typo = Serialization.clone(so);
    ((Map<String, Object>) typo.getAdditionalProperties().get("spec")).put("minReplicas", 0);
    assertThat(SchemaValidator.errors(typo)).anyMatch(e -> e.contains("minReplicas"));

    GenericKubernetesResource negative = Serialization.clone(so);
    ((Map<String, Object>) negative.getAdditionalProperties().get("spec")).put("maxReplicaCount", 0);
    assertThat(SchemaValidator.errors(negative)).isNotEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void rejectsABadVirtualService() {
    GenericKubernetesResource vs = VirtualServices.desired(ModelHosts.modelHost("ml", "llama"), ModelHosts.SETTINGS);
    assertThat(SchemaValidator.errors(vs)).isEmpty();
    Map<String, Object> route = ((List<Map<String, Object>>) ((Map<String, Object>) vs.getAdditionalProperties()
        .get("spec")).get("http")).get(0);
    route.put("retries", Map.of("attempts", "none"));
    assertThat(SchemaValidator.errors(vs)).isNotEmpty();
  }
}
