package io.wakegate.controller.status;

import io.wakegate.controller.crd.ModelHostCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Condition types, statuses and reasons of a ModelHost, and the transition-preserving merge. */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String TARGET_FOUND = "TargetFound";
  public static final String SCALED_OBJECT_READY = "ScaledObjectReady";
  public static final String ROUTES_PROGRAMMED = "RoutesProgrammed";
  public static final String VIRTUAL_SERVICE_PROGRAMMED = "VirtualServiceProgrammed";
  public static final String CONFLICT = "Conflict";

  /** The order conditions are listed in. */
  public static final List<String> TYPES = List.of(
      READY, TARGET_FOUND, SCALED_OBJECT_READY, ROUTES_PROGRAMMED, VIRTUAL_SERVICE_PROGRAMMED, CONFLICT);

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  // Reasons (CamelCase). TargetFound's own reasons are in desired.Targets.
  public static final String PROGRAMMED = "Programmed";
  public static final String KEDA_READY = "KedaReady";
  public static final String KEDA_NOT_READY = "KedaNotReady";
  public static final String AWAITING_KEDA = "AwaitingKeda";
  public static final String KEDA_NOT_INSTALLED = "KedaNotInstalled";
  public static final String ISTIO_NOT_INSTALLED = "IstioNotInstalled";
  public static final String ISTIO_DISABLED = "IstioDisabled";
  public static final String NOT_OWNED = "NotOwned";
  public static final String TARGET_NOT_FOUND = "TargetNotFound";
  public static final String HOST_CONFLICT = "HostConflict";
  public static final String NO_CONFLICT = "NoConflict";
  /** A write failed for a reason that may pass (server error, timeout, conflict). */
  public static final String WRITE_FAILED = "WriteFailed";
  /** The API server or an admission webhook refused a write (403, 422): it will not pass by itself. */
  public static final String WRITE_REJECTED = "WriteRejected";
  /** Another ScaledObject or a HorizontalPodAutoscaler already scales the workload. */
  public static final String WORKLOAD_SCALED_BY_OTHER = "WorkloadScaledByOther";
  public static final String INVALID_SPEC = "InvalidSpec";

  private Conditions() {
  }

  /**
   * The conditions to store: {@code next}, but each keeping the {@code lastTransitionTime} of the
   * condition of the same type in {@code previous} when its status did not change; a flipped or
   * new condition gets {@code now}.
   */
  public static List<ModelHostCondition> merge(List<ModelHostCondition> previous, List<ModelHostCondition> next,
      Instant now) {
    List<ModelHostCondition> merged = new ArrayList<>(next.size());
    for (ModelHostCondition c : next) {
      ModelHostCondition old = find(previous, c.type());
      String since = old != null && old.status().equals(c.status()) && old.lastTransitionTime() != null
          ? old.lastTransitionTime() : now.toString();
      merged.add(new ModelHostCondition(c.type(), c.status(), c.reason(), c.message(), since, c.observedGeneration()));
    }
    return merged;
  }

  /** The condition of {@code type}, or null. */
  public static ModelHostCondition find(List<ModelHostCondition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> type.equals(c.type())).findFirst().orElse(null);
  }
}
