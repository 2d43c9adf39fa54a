package io.wakegate.controller.desired;

import io.wakegate.controller.crd.TargetSpec.WorkloadKind;

/**
 * A ModelHost's target as found in the cluster.
 *
 * @param kind the workload's kind
 * @param workload the workload's name
 * @param service the Service's name
 * @param portNumber the Service port's number
 * @param portName the Service port's name, "" when unnamed
 */
public record ResolvedTarget(WorkloadKind kind, String workload, String service, int portNumber, String portName) {

  public ResolvedTarget {
    portName = portName != null ? portName : "";
  }
}
