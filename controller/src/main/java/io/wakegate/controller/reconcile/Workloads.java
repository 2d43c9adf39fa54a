package io.wakegate.controller.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/** Replica counts of a Deployment or StatefulSet, for the ModelHost's status. */
final class Workloads {

  private Workloads() {
  }

  static Integer replicas(HasMetadata workload) {
    if (workload instanceof Deployment d && d.getStatus() != null) {
      return zeroIfNull(d.getStatus().getReplicas());
    }
    if (workload instanceof StatefulSet s && s.getStatus() != null) {
      return zeroIfNull(s.getStatus().getReplicas());
    }
    return workload != null ? 0 : null;
  }

  static Integer readyReplicas(HasMetadata workload) {
    if (workload instanceof Deployment d && d.getStatus() != null) {
      return zeroIfNull(d.getStatus().getReadyReplicas());
    }
    if (workload instanceof StatefulSet s && s.getStatus() != null) {
      return zeroIfNull(s.getStatus().getReadyReplicas());
    }
    return workload != null ? 0 : null;
  }

  private static Integer zeroIfNull(Integer value) {
    return value != null ? value : 0;
  }
}
