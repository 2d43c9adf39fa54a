package io.wakegate.controller.status;

import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostCondition;
import io.wakegate.controller.crd.ModelHostStatus;
import io.wakegate.controller.desired.Names;
import io.wakegate.controller.desired.Targets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A ModelHost's status from an {@link Observation}. {@code Ready} is True when the target is
 * found, there is no conflict, the route is in the table, the ScaledObject is written (KEDA not
 * reporting it not-ready) and the VirtualService is written or Istio is disabled for the host;
 * otherwise it carries the reason of the first condition that is not.
 */
public final class StatusCalculator {

  private StatusCalculator() {
  }

  public static ModelHostStatus status(ModelHost host, Observation o, Instant now) {
    Long generation = host.getMetadata().getGeneration();
    List<ModelHostCondition> next = new ArrayList<>();
    boolean targetFound = o.target() instanceof Targets.Found;
    ModelHostCondition target = targetFound
        ? condition(Conditions.TARGET_FOUND, Conditions.TRUE, Targets.REASON_FOUND, "workload, Service and port found", generation)
        : condition(Conditions.TARGET_FOUND, Conditions.FALSE, ((Targets.Missing) o.target()).reason(),
            ((Targets.Missing) o.target()).message(), generation);
    ModelHostCondition conflict = o.conflict() != null
        ? condition(Conditions.CONFLICT, Conditions.TRUE, Conditions.HOST_CONFLICT, o.conflict().message(), generation)
        : condition(Conditions.CONFLICT, Conditions.FALSE, Conditions.NO_CONFLICT, "no other ModelHost claims these hosts and paths", generation);
    ModelHostCondition scaledObject = fromPart(Conditions.SCALED_OBJECT_READY, o.scaledObject(), generation);
    ModelHostCondition routes = fromPart(Conditions.ROUTES_PROGRAMMED, o.routes(), generation);
    ModelHostCondition virtualService = fromPart(Conditions.VIRTUAL_SERVICE_PROGRAMMED, o.virtualService(), generation);

    ModelHostCondition ready;
    if (o.specProblem() != null) {
      ready = condition(Conditions.READY, Conditions.FALSE, Conditions.INVALID_SPEC, o.specProblem(), generation);
    } else if (!targetFound) {
      ready = condition(Conditions.READY, Conditions.FALSE, target.reason(), target.message(), generation);
    } else if (o.conflict() != null) {
      ready = condition(Conditions.READY, Conditions.FALSE, Conditions.HOST_CONFLICT, conflict.message(), generation);
    } else if (!o.routes().isTrue()) {
      ready = condition(Conditions.READY, Conditions.FALSE, routes.reason(), routes.message(), generation);
    } else if (Conditions.FALSE.equals(o.scaledObject().status())) {
      ready = condition(Conditions.READY, Conditions.FALSE, scaledObject.reason(), scaledObject.message(), generation);
    } else if (!o.virtualService().isTrue() && !Conditions.ISTIO_DISABLED.equals(o.virtualService().reason())) {
      ready = condition(Conditions.READY, Conditions.FALSE, virtualService.reason(), virtualService.message(), generation);
    } else {
      ready = condition(Conditions.READY, Conditions.TRUE, Conditions.PROGRAMMED,
          "route table, ScaledObject" + (o.virtualService().isTrue() ? " and VirtualService" : "") + " programmed",
          generation);
    }
    next.add(ready);
    next.add(target);
    next.add(scaledObject);
    next.add(routes);
    next.add(virtualService);
    next.add(conflict);
    List<ModelHostCondition> previous = host.getStatus() != null ? host.getStatus().conditions() : List.of();
    return new ModelHostStatus(generation, Conditions.merge(previous, next, now), o.replicas(), o.readyReplicas(),
        o.scaledObject().written() ? Names.scaledObject(host) : null,
        o.virtualService().written() ? Names.virtualService(host) : null,
        Names.route(host));
  }

  private static ModelHostCondition fromPart(String type, Observation.Part part, Long generation) {
    return condition(type, part.status(), part.reason(), part.message(), generation);
  }

  private static ModelHostCondition condition(String type, String status, String reason, String message, Long generation) {
    return new ModelHostCondition(type, status, reason, message, null, generation);
  }
}
