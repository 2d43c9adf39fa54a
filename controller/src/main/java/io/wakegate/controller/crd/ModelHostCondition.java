package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A status condition in the usual Kubernetes shape. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelHostCondition(
    @Required @JsonPropertyDescription("Condition type.") String type,
    @Required @JsonPropertyDescription("True, False or Unknown.") String status,
    @JsonPropertyDescription("CamelCase reason for the last transition or the current state.") String reason,
    @JsonPropertyDescription("Human-readable details.") String message,
    @JsonPropertyDescription("When status last changed (RFC 3339).") String lastTransitionTime,
    @JsonPropertyDescription("The metadata.generation this condition was computed from.") Long observedGeneration) {
}
