package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Replica bounds; the controller never writes replicas itself, KEDA does. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.min <= self.max", message = "replicas.min must not exceed replicas.max")
public record ReplicasSpec(
    @Default("0")
    @Min(0)
    @JsonPropertyDescription("Fewest replicas; 0 lets the model scale to zero (KEDA activates it on demand).")
    Integer min,

    @Default("1")
    @Min(1)
    @JsonPropertyDescription("Most replicas.")
    Integer max) {

  public static final int DEFAULT_MIN = 0;
  public static final int DEFAULT_MAX = 1;

  public ReplicasSpec {
    min = min != null ? min : DEFAULT_MIN;
    max = max != null ? max : DEFAULT_MAX;
  }
}
