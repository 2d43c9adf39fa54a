package io.wakegate.controller.status;

import io.wakegate.controller.desired.Claims;
import io.wakegate.controller.desired.Targets;

/**
 * What one reconcile pass learned about one ModelHost; the input of {@link StatusCalculator}.
 *
 * @param specProblem why the spec cannot be programmed, or null
 * @param target the target resolution
 * @param conflict the lost claim, or null
 * @param scaledObject the ScaledObject's state
 * @param routes the route-table entry's state
 * @param virtualService the VirtualService's state
 * @param replicas the workload's status.replicas, or null
 * @param readyReplicas the workload's status.readyReplicas, or null
 */
public record Observation(String specProblem, Targets.Resolution target, Claims.Conflict conflict,
    Part scaledObject, Part routes, Part virtualService, Integer replicas, Integer readyReplicas) {

  /**
   * The state of one written object: a condition status, a reason, a message, and whether the
   * object is in the cluster as the controller wants it.
   */
  public record Part(String status, String reason, String message, boolean written) {

    public static Part ok(String reason, String message) {
      return new Part(Conditions.TRUE, reason, message, true);
    }

    public static Part failed(String reason, String message) {
      return new Part(Conditions.FALSE, reason, message, false);
    }

    public boolean isTrue() {
      return Conditions.TRUE.equals(status);
    }
  }
}
