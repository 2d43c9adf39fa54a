package io.wakegate.controller.reconcile;

import com.google.protobuf.InvalidProtocolBufferException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostCondition;
import io.wakegate.controller.crd.ModelHostStatus;
import io.wakegate.controller.desired.Claims;
import io.wakegate.controller.desired.Names;
import io.wakegate.controller.desired.Owners;
import io.wakegate.controller.desired.Routes;
import io.wakegate.controller.desired.ScaledObjects;
import io.wakegate.controller.desired.Settings;
import io.wakegate.controller.desired.Targets;
import io.wakegate.controller.desired.Validation;
import io.wakegate.controller.desired.VirtualServices;
import io.wakegate.controller.kube.Apis;
import io.wakegate.controller.kube.Cluster;
import io.wakegate.controller.kube.Writer;
import io.wakegate.controller.status.Conditions;
import io.wakegate.controller.status.Observation;
import io.wakegate.controller.status.Observation.Part;
import io.wakegate.controller.status.StatusCalculator;
import io.wakegate.proto.routes.Route;
import io.wakegate.proto.routes.RouteTable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass: read every ModelHost and what it refers to from the caches, resolve conflicts,
 * write the route table, each ModelHost's ScaledObject and VirtualService, delete generated
 * objects whose ModelHost is gone, and write each status. A failure on one ModelHost does not
 * stop the others; the pass then reports failure and the loop retries it with backoff.
 *
 * <p>Called from the reconcile thread only.
 */
public final class Reconciler {

  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  private final Cluster cluster;
  private final Writer writer;
  private final Settings settings;
  private final Clock clock;

  public Reconciler(Cluster cluster, Writer writer, Settings settings, Clock clock) {
    this.cluster = cluster;
    this.writer = writer;
    this.settings = settings;
    this.clock = clock;
  }

  /** Runs one pass; true when every write succeeded. */
  public boolean reconcileAll() {
    boolean ok = cluster.refreshOptionalApis();
    List<ModelHost> hosts = cluster.modelHosts().stream()
        .filter(h -> h.getMetadata().getDeletionTimestamp() == null && h.getSpec() != null)
        .toList();
    Map<String, Claims.Conflict> losers = Claims.resolve(hosts);

    Map<String, Plan> plans = new LinkedHashMap<>();
    List<Route> routes = new ArrayList<>();
    for (ModelHost host : hosts) {
      String key = Names.key(host);
      String problem = Validation.problem(host);
      Targets.Resolution target = problem != null
          ? new Targets.Missing(Conditions.INVALID_SPEC, problem)
          : Targets.resolve(host, cluster.workload(host.getMetadata().getNamespace(), host.getSpec().target()),
              cluster.service(host.getMetadata().getNamespace(), host.getSpec().target().service()));
      Plan plan = new Plan(host, problem, target, losers.get(key));
      plans.put(key, plan);
      if (plan.routable()) {
        routes.add(Routes.entry(host, plan.found()));
      }
    }

    Part tableFailure = null;
    try {
      writeRouteTable(routes);
    } catch (KubernetesClientException e) {
      log.warn("route table {}/{} not written: {}", settings.wakegateNamespace(), Names.ROUTE_TABLE_CONFIGMAP, describe(e));
      tableFailure = Part.failed(Conditions.WRITE_FAILED, "route table not written: " + e.getMessage());
      ok = false;
    }

    for (Plan plan : plans.values()) {
      try {
        reconcile(plan, tableFailure);
      } catch (KubernetesClientException e) {
        log.warn("{}: reconcile failed, will retry: {}", Names.key(plan.host), describe(e));
        ok = false;
      }
    }
    try {
      deleteOrphans(hosts);
    } catch (KubernetesClientException e) {
      log.warn("deleting generated objects of removed ModelHosts failed, will retry: {}", describe(e));
      ok = false;
    }
    return ok;
  }

  private void reconcile(Plan plan, Part tableFailure) {
    ModelHost host = plan.host;
    Part routes;
    if (plan.problem != null) {
      routes = Part.failed(Conditions.INVALID_SPEC, plan.problem);
    } else if (plan.target instanceof Targets.Missing missing) {
      routes = Part.failed(Conditions.TARGET_NOT_FOUND, missing.message());
    } else if (plan.conflict != null) {
      routes = Part.failed(Conditions.HOST_CONFLICT, plan.conflict.message());
    } else if (tableFailure != null) {
      routes = tableFailure;
    } else {
      routes = Part.ok(Conditions.PROGRAMMED, "in ConfigMap " + settings.wakegateNamespace() + "/"
          + Names.ROUTE_TABLE_CONFIGMAP + " as route " + Names.route(host));
    }
    Part scaledObject = reconcileScaledObject(plan);
    Part virtualService = reconcileVirtualService(plan);

    HasMetadata workload = plan.problem == null
        ? cluster.workload(host.getMetadata().getNamespace(), host.getSpec().target()) : null;
    Observation observation = new Observation(plan.problem, plan.target, plan.conflict, scaledObject, routes,
        virtualService, Workloads.replicas(workload), Workloads.readyReplicas(workload));
    ModelHostStatus status = StatusCalculator.status(host, observation, clock.instant());
    if (!Objects.equals(status, host.getStatus())) {
      writer.writeStatus(host, status);
      recordEvents(host, host.getStatus() != null ? host.getStatus().conditions() : List.of(), status.conditions());
    }
  }

  private Part reconcileScaledObject(Plan plan) {
    ModelHost host = plan.host;
    Apis api = Apis.SCALED_OBJECT;
    if (!cluster.installed(api)) {
      return Part.failed(Conditions.KEDA_NOT_INSTALLED, "CRD " + api.crdName() + " not found: install KEDA");
    }
    GenericKubernetesResource current = cluster.managed(api, host.getMetadata().getNamespace(), Names.scaledObject(host));
    if (!(plan.target instanceof Targets.Found found)) {
      deleteIfOwned(api, current, host, "target not found");
      return Part.failed(Conditions.TARGET_NOT_FOUND, ((Targets.Missing) plan.target).message());
    }
    GenericKubernetesResource desired = ScaledObjects.desired(host, found.target(), settings);
    if (writer.apply(api, desired, current, host) == Writer.Outcome.NOT_OWNED) {
      return Part.failed(Conditions.NOT_OWNED, notOwned(api, desired));
    }
    return kedaState(current);
  }

  /** KEDA's own Ready condition on the ScaledObject, as far as the cache has seen it. */
  private static Part kedaState(GenericKubernetesResource current) {
    Object status = current != null ? current.getAdditionalProperties().get("status") : null;
    if (status instanceof Map<?, ?> map && map.get("conditions") instanceof List<?> conditions) {
      for (Object c : conditions) {
        if (c instanceof Map<?, ?> condition && Conditions.READY.equals(condition.get("type"))) {
          String message = Objects.toString(condition.get("message"), "");
          if (Conditions.TRUE.equals(condition.get("status"))) {
            return Part.ok(Conditions.KEDA_READY, "KEDA reports the ScaledObject ready" + (message.isEmpty() ? "" : ": " + message));
          }
          if (Conditions.FALSE.equals(condition.get("status"))) {
            return new Part(Conditions.FALSE, Conditions.KEDA_NOT_READY, "KEDA: " + message, true);
          }
        }
      }
    }
    return new Part(Conditions.UNKNOWN, Conditions.AWAITING_KEDA, "ScaledObject written; KEDA has not reported on it yet", true);
  }

  private Part reconcileVirtualService(Plan plan) {
    ModelHost host = plan.host;
    Apis api = Apis.VIRTUAL_SERVICE;
    GenericKubernetesResource current = cluster.managed(api, host.getMetadata().getNamespace(), Names.virtualService(host));
    if (!host.getSpec().istio().enabled()) {
      deleteIfOwned(api, current, host, "Istio disabled for this ModelHost");
      return Part.failed(Conditions.ISTIO_DISABLED, "spec.istio.enabled is false");
    }
    if (!cluster.installed(api)) {
      return Part.failed(Conditions.ISTIO_NOT_INSTALLED, "CRD " + api.crdName() + " not found: install Istio or set spec.istio.enabled=false");
    }
    if (!(plan.target instanceof Targets.Found)) {
      deleteIfOwned(api, current, host, "target not found");
      return Part.failed(Conditions.TARGET_NOT_FOUND, ((Targets.Missing) plan.target).message());
    }
    if (plan.conflict != null) {
      deleteIfOwned(api, current, host, "host conflict");
      return Part.failed(Conditions.HOST_CONFLICT, plan.conflict.message());
    }
    GenericKubernetesResource desired = VirtualServices.desired(host, settings);
    if (writer.apply(api, desired, current, host) == Writer.Outcome.NOT_OWNED) {
      return Part.failed(Conditions.NOT_OWNED, notOwned(api, desired));
    }
    return Part.ok(Conditions.PROGRAMMED, "VirtualService " + desired.getMetadata().getName() + " routes "
        + String.join(", ", host.getSpec().match().hosts()) + " to " + settings.interceptorHost());
  }

  private void deleteIfOwned(Apis api, GenericKubernetesResource current, ModelHost host, String why) {
    if (current != null && Owners.ownedBy(current, host)) {
      writer.delete(api, current, why);
    }
  }

  /** Generated objects whose controlling ModelHost (by uid) is no longer in the cache. */
  private void deleteOrphans(List<ModelHost> hosts) {
    Set<String> uids = new HashSet<>();
    cluster.modelHosts().forEach(h -> uids.add(h.getMetadata().getUid()));
    for (Apis api : Apis.values()) {
      if (!cluster.ready(api)) {
        continue;
      }
      for (GenericKubernetesResource object : cluster.managed(api)) {
        boolean orphan = Owners.ownedByAnyModelHost(object) && object.getMetadata().getOwnerReferences().stream()
            .filter(ref -> ModelHost.KIND.equals(ref.getKind()))
            .noneMatch(ref -> uids.contains(ref.getUid()));
        if (orphan && object.getMetadata().getDeletionTimestamp() == null) {
          writer.delete(api, object, "its ModelHost is gone");
        }
      }
    }
  }

  private void writeRouteTable(List<Route> routes) {
    ConfigMap current = cluster.routeTable();
    long previousVersion = 0;
    String json = current != null && current.getData() != null ? current.getData().get(Names.ROUTE_TABLE_KEY) : null;
    if (json != null) {
      try {
        RouteTable stored = Routes.fromJson(json);
        previousVersion = stored.getVersion();
        if (Routes.table(routes, stored.getVersion()).equals(stored)) {
          return;
        }
      } catch (InvalidProtocolBufferException e) {
        log.warn("route table {}/{} is not valid JSON; replacing it: {}", settings.wakegateNamespace(),
            Names.ROUTE_TABLE_CONFIGMAP, e.getMessage());
      }
    }
    RouteTable table = Routes.table(routes, Routes.nextVersion(previousVersion, clock.millis()));
    writer.writeRouteTable(settings.wakegateNamespace(), current, Routes.toJson(table));
    log.info("route table {}/{} version {}: {} routes", settings.wakegateNamespace(), Names.ROUTE_TABLE_CONFIGMAP,
        table.getVersion(), table.getRoutesCount());
  }

  /** One Event per condition that flipped into a bad state, and one when the ModelHost becomes Ready. */
  private void recordEvents(ModelHost host, List<ModelHostCondition> before, List<ModelHostCondition> after) {
    for (ModelHostCondition now : after) {
      ModelHostCondition was = Conditions.find(before, now.type());
      boolean changed = was == null || !was.status().equals(now.status()) || !Objects.equals(was.reason(), now.reason());
      if (!changed) {
        continue;
      }
      boolean bad = Conditions.CONFLICT.equals(now.type()) ? Conditions.TRUE.equals(now.status()) : Conditions.FALSE.equals(now.status());
      if (Conditions.READY.equals(now.type())) {
        if (Conditions.TRUE.equals(now.status())) {
          writer.event(host, false, now.reason(), now.message());
        }
      } else if (bad && !Conditions.ISTIO_DISABLED.equals(now.reason())) {
        writer.event(host, true, now.reason(), now.message());
      }
    }
  }

  /** The client's message plus the API server's status or the underlying cause. */
  static String describe(KubernetesClientException e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      text.append(" (").append(e.getCode()).append(": ").append(e.getStatus().getMessage()).append(')');
    } else if (e.getCause() != null) {
      text.append(" (").append(e.getCause()).append(')');
    }
    return text.toString();
  }

  private static String notOwned(Apis api, GenericKubernetesResource desired) {
    return api.kind() + " " + desired.getMetadata().getNamespace() + "/" + desired.getMetadata().getName()
        + " exists and is not controlled by this ModelHost; delete or rename it";
  }

  /** What the pass decided for one ModelHost before writing anything. */
  private record Plan(ModelHost host, String problem, Targets.Resolution target, Claims.Conflict conflict) {

    boolean routable() {
      return problem == null && target instanceof Targets.Found && conflict == null;
    }

    io.wakegate.controller.desired.ResolvedTarget found() {
      return ((Targets.Found) target).target();
    }
  }
}
