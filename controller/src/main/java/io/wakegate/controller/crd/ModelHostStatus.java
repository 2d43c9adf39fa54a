package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Observed state, written only by the controller. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelHostStatus(
    @JsonPropertyDescription("The metadata.generation this status describes.")
    Long observedGeneration,

    @JsonPropertyDescription("Ready, TargetFound, ScaledObjectReady, RoutesProgrammed, VirtualServiceProgrammed, Conflict.")
    List<ModelHostCondition> conditions,

    @JsonPropertyDescription("Current replicas of the target workload.")
    Integer replicas,

    @JsonPropertyDescription("Ready replicas of the target workload (the endpoints that can take traffic).")
    Integer readyReplicas,

    @JsonPropertyDescription("Name of the ScaledObject the controller writes.")
    String scaledObject,

    @JsonPropertyDescription("Name of the VirtualService the controller writes, when Istio is enabled.")
    String virtualService,

    @JsonPropertyDescription("The route's name in the route table and in the scaler's trigger (namespace/name).")
    String route) {

  public ModelHostStatus {
    conditions = conditions != null ? List.copyOf(conditions) : List.of();
  }
}
