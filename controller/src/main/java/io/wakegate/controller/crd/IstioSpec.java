package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** The VirtualService the controller writes for the ModelHost's hosts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IstioSpec(
    @Default("true")
    @JsonPropertyDescription("Write a VirtualService routing the hosts to the interceptors.")
    Boolean enabled,

    @Size(max = 16)
    @JsonPropertyDescription("Gateways ('namespace/name') the VirtualService binds to; empty = the mesh only.")
    List<@Size(min = 1, max = 317) String> gateways,

    @Min(0)
    @JsonPropertyDescription("Route timeout in seconds; 0 = none. Default: the cold-start timeout plus the "
        + "response-header timeout, so a held request is never cut by Istio first.")
    Integer timeoutSeconds) {

  public IstioSpec {
    enabled = enabled != null ? enabled : Boolean.TRUE;
    gateways = gateways != null ? List.copyOf(gateways) : List.of();
  }
}
