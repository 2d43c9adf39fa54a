package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.IntOrString;

/** The workload KEDA scales and the Service in front of it, both in the ModelHost's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TargetSpec(
    @Default("Deployment")
    @JsonPropertyDescription("Kind of the workload: Deployment or StatefulSet.")
    WorkloadKind kind,

    @Required
    @Size(min = 1, max = 253)
    @JsonPropertyDescription("Name of the Deployment or StatefulSet.")
    String name,

    @Size(max = 63)
    @JsonPropertyDescription("Name of the Service whose endpoints are the model's pods. Default: the workload's name.")
    String service,

    @JsonPropertyDescription("The Service port, by number or name. Default: the Service's only port.")
    IntOrString port) {

  public TargetSpec {
    kind = kind != null ? kind : WorkloadKind.Deployment;
    service = service != null && !service.isEmpty() ? service : name;
  }

  /** The workload kinds KEDA can scale that the controller resolves. */
  public enum WorkloadKind { Deployment, StatefulSet }
}
