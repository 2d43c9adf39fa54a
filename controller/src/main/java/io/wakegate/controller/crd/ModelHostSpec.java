package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** Desired state of a {@link ModelHost}; every field but {@code match} and {@code target} has a default. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelHostSpec(
    @Required
    @JsonPropertyDescription("Which requests belong to this model host.")
    MatchSpec match,

    @Required
    @JsonPropertyDescription("The workload KEDA scales and the Service the interceptors forward to.")
    TargetSpec target,

    @Default("{}")
    @JsonPropertyDescription("Replica bounds KEDA scales between.")
    ReplicasSpec replicas,

    @Default("{}")
    @JsonPropertyDescription("How demand turns into replicas.")
    ScalingSpec scaling,

    @Default("{}")
    @JsonPropertyDescription("How requests are held while no replica is ready, and what a held client sees meanwhile.")
    ColdStartSpec coldStart,

    @Default("0")
    @Min(0)
    @JsonPropertyDescription("Largest number of requests in flight to one endpoint; 0 = no cap.")
    Integer maxConcurrencyPerEndpoint,

    @Default("300")
    @Min(1)
    @JsonPropertyDescription("Longest wait for the backend's response headers after forwarding, in seconds.")
    Integer responseHeaderTimeoutSeconds,

    @Default("Pods")
    @JsonPropertyDescription("Pods: connect to ready pod addresses (least loaded, per-endpoint cap). "
        + "Service: connect to the Service's DNS name (needed under Istio mTLS STRICT).")
    ForwardTo forwardTo,

    @Default("{}")
    @JsonPropertyDescription("The Istio VirtualService that sends the hosts' traffic to the interceptors.")
    IstioSpec istio) {

  public static final int DEFAULT_RESPONSE_HEADER_TIMEOUT_SECONDS = 300;

  public ModelHostSpec {
    replicas = replicas != null ? replicas : new ReplicasSpec(null, null);
    scaling = scaling != null ? scaling : new ScalingSpec(null, null, null, null, null, null);
    coldStart = coldStart != null ? coldStart : new ColdStartSpec(null, null, null);
    maxConcurrencyPerEndpoint = maxConcurrencyPerEndpoint != null ? maxConcurrencyPerEndpoint : 0;
    responseHeaderTimeoutSeconds = responseHeaderTimeoutSeconds != null
        ? responseHeaderTimeoutSeconds : DEFAULT_RESPONSE_HEADER_TIMEOUT_SECONDS;
    forwardTo = forwardTo != null ? forwardTo : ForwardTo.Pods;
    istio = istio != null ? istio : new IstioSpec(null, null, null);
  }

  /** How the interceptor reaches the backend. */
  public enum ForwardTo { Pods, Service }
}
