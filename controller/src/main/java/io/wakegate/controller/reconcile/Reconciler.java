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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass: read every ModelHost and what it refers to from the caches, resolve conflicts, write
 * each ModelHost's ScaledObject, then the route table (a route is marked not wakeable when no
 * ScaledObject of ours can wake its workload), then each VirtualService, delete generated objects
 * whose ModelHost is gone, and write each status. A failed write becomes the condition of the
 * object it concerns, with the server's text, and is retried with per-object back-off
 * ({@link Retries}); a failure on one ModelHost never stops the others.
 *
 * <p>Called from the reconcile thread only.
 */
public final class Reconciler {

  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  private final Cluster cluster;
  private final Writer writer;
  private final Settings settings;
  private final Clock clock;
  private final Retries retries;
  /** Whether the last pass waited for caches (logged once per wait). */
  private boolean waiting;

  public Reconciler(Cluster cluster, Writer writer, Settings settings, Clock clock) {
    this(cluster, writer, settings, clock, Duration.ofSeconds(1), Duration.ofMinutes(5));
  }

  /** As above, with the back-off of failed writes: {@code base} doubling up to {@code cap}. */
  public Reconciler(Cluster cluster, Writer writer, Settings settings, Clock clock, Duration base, Duration cap) {
    this.cluster = cluster;
    this.writer = writer;
    this.settings = settings;
    this.clock = clock;
    this.retries = new Retries(base, cap);
  }

  /** Runs one pass. */
  public ReconcileLoop.Outcome reconcileAll() {
    if (!cluster.refreshOptionalApis()) {
      if (!waiting) {
        log.info("waiting for the caches of newly installed CRDs to sync");
        waiting = true;
      }
      return ReconcileLoop.Outcome.of(PassObserver.Result.WAITING);
    }
    waiting = false;
    Instant now = clock.instant();
    Pass pass = new Pass(now);
    List<ModelHost> hosts = cluster.modelHosts().stream()
        .filter(h -> h.getMetadata().getDeletionTimestamp() == null && h.getSpec() != null)
        .toList();
    Map<String, Claims.Conflict> losers = Claims.resolve(hosts);
    Map<String, String> scaledByOther = Claims.scaledByOther(hosts, losers);

    List<Plan> plans = new ArrayList<>();
    List<Route> routes = new ArrayList<>();
    for (ModelHost host : hosts) {
      String key = Names.key(host);
      String problem = Validation.problem(host);
      Targets.Resolution target = problem != null
          ? new Targets.Missing(Conditions.INVALID_SPEC, problem)
          : Targets.resolve(host, cluster.workload(host.getMetadata().getNamespace(), host.getSpec().target()),
              cluster.service(host.getMetadata().getNamespace(), host.getSpec().target().service()));
      Plan plan = new Plan(host, problem, target, losers.get(key), scaledByOther.get(key));
      plan.scaledObject = reconcileScaledObject(plan, pass);
      plans.add(plan);
      if (plan.routable()) {
        boolean wakeable = plan.scaledObject.written() || host.getSpec().replicas().min() > 0;
        routes.add(Routes.entry(host, plan.found(), wakeable));
      }
    }

    Part tableFailure = writeRouteTable(routes, pass);
    for (Plan plan : plans) {
      try {
        finish(plan, tableFailure, pass);
      } catch (KubernetesClientException e) {
        log.warn("{}: status not written, will retry: {}", Names.key(plan.host), describe(e));
        pass.failed = true;
      }
    }
    try {
      deleteOrphans();
    } catch (KubernetesClientException e) {
      log.warn("deleting generated objects of removed ModelHosts failed, will retry: {}", describe(e));
      pass.failed = true;
    }
    retries.retainOnly(pass.keys);
    Instant next = retries.next();
    Duration retryIn = next == null ? null : Duration.between(clock.instant(), next);
    if (retryIn != null && retryIn.isNegative()) {
      retryIn = Duration.ZERO;
    }
    return new ReconcileLoop.Outcome(pass.failed ? PassObserver.Result.FAILURE : PassObserver.Result.SUCCESS, retryIn);
  }

  /** The route-table condition, the VirtualService and the status of one ModelHost. */
  private void finish(Plan plan, Part tableFailure, Pass pass) {
    ModelHost host = plan.host;
    Part routes;
    if (plan.problem != null) {
      routes = Part.failed(Conditions.INVALID_SPEC, plan.problem);
    } else if (plan.target instanceof Targets.Missing missing) {
      routes = Part.failed(missing.reason(), missing.message());
    } else if (plan.conflict != null) {
      routes = Part.failed(Conditions.HOST_CONFLICT, plan.conflict.message());
    } else if (tableFailure != null) {
      routes = tableFailure;
    } else {
      routes = Part.ok(Conditions.PROGRAMMED, "in ConfigMap " + settings.wakegateNamespace() + "/"
          + Names.ROUTE_TABLE_CONFIGMAP + " as route " + Names.route(host)
          + (plan.scaledObject.written() || host.getSpec().replicas().min() > 0 ? ""
              : "; not wakeable from zero, so requests are forwarded only while it has ready endpoints"));
    }
    Part virtualService = reconcileVirtualService(plan, pass);

    HasMetadata workload = plan.problem == null
        ? cluster.workload(host.getMetadata().getNamespace(), host.getSpec().target()) : null;
    Observation observation = new Observation(plan.problem, plan.target, plan.conflict, plan.scaledObject, routes,
        virtualService, Workloads.replicas(workload), Workloads.readyReplicas(workload));
    ModelHostStatus status = StatusCalculator.status(host, observation, clock.instant());
    if (!Objects.equals(status, host.getStatus())) {
      writer.writeStatus(host, status);
      recordEvent(host, host.getStatus() != null ? host.getStatus().conditions() : List.of(), status.conditions());
    }
  }

  private Part reconcileScaledObject(Plan plan, Pass pass) {
    ModelHost host = plan.host;
    Apis api = Apis.SCALED_OBJECT;
    if (!cluster.installed(api)) {
      return Part.failed(Conditions.KEDA_NOT_INSTALLED, "CRD " + api.crdName() + " not found: install KEDA");
    }
    String ns = host.getMetadata().getNamespace();
    GenericKubernetesResource current = cluster.cached(api, ns, Names.scaledObject(host));
    // The loser of a host conflict has no route: nothing to wake, and its ScaledObject would
    // compete with the winner's for the workload.
    Part unwanted = unwanted(plan, api, current, pass);
    if (unwanted != null) {
      return unwanted;
    }
    Targets.Found found = (Targets.Found) plan.target;
    String workload = found.target().kind() + " " + ns + "/" + found.target().workload();
    if (plan.scaledBy != null) {
      deleteIfOwned(api, current, host, "another ModelHost scales the workload", pass);
      return Part.failed(Conditions.WORKLOAD_SCALED_BY_OTHER, workload + " is scaled by the ScaledObject of ModelHost "
          + plan.scaledBy + " (older); only one ScaledObject may scale a workload");
    }
    List<String> foreign = cluster.foreignScalers(ns, found.target().kind().name(), found.target().workload());
    if (!foreign.isEmpty()) {
      deleteIfOwned(api, current, host, "the workload is scaled by " + String.join(", ", foreign), pass);
      return Part.failed(Conditions.WORKLOAD_SCALED_BY_OTHER, workload + " is already scaled by "
          + String.join(", ", foreign) + "; remove it, or point the ModelHost at another workload");
    }
    GenericKubernetesResource desired = ScaledObjects.desired(host, found.target(), settings);
    String key = api.kind() + "/" + ns + "/" + desired.getMetadata().getName();
    boolean ours = current != null && Owners.ownedBy(current, host);
    Writer.Outcome outcome;
    try {
      outcome = write(key, desired, pass, () -> writer.apply(api, desired, current, host));
    } catch (WriteFailure failure) {
      return failure.part(ours);
    }
    if (outcome == Writer.Outcome.NOT_OWNED) {
      return Part.failed(Conditions.NOT_OWNED, notOwned(api, desired));
    }
    return kedaState(current);
  }

  /**
   * Runs one write under {@link Retries}: skipped (throwing the recorded failure) while it backs
   * off, recorded when it fails.
   */
  private <T> T write(String key, Object desired, Pass pass, java.util.function.Supplier<T> write) throws WriteFailure {
    pass.keys.add(key);
    Part waiting = retries.waiting(key, desired, pass.now);
    if (waiting != null) {
      throw new WriteFailure(waiting);
    }
    try {
      T result = write.get();
      retries.succeeded(key);
      return result;
    } catch (KubernetesClientException e) {
      pass.failed = true;
      Part part = failedWrite(key, e);
      Duration delay = retries.failed(key, desired, part, pass.now);
      log.warn("{} not written, retrying in {} s: {}", key, Math.max(1, delay.toSeconds()), describe(e));
      throw new WriteFailure(part);
    }
  }

  /** A refused write (403, 422: an admission webhook, a schema) will not pass by itself; others may. */
  private static Part failedWrite(String key, KubernetesClientException e) {
    String what = key.substring(0, key.indexOf('/')) + " " + key.substring(key.indexOf('/') + 1);
    String server = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
        : String.valueOf(e.getMessage());
    boolean rejected = e.getCode() == 403 || e.getCode() == 422 || e.getCode() == 400;
    return Part.failed(rejected ? Conditions.WRITE_REJECTED : Conditions.WRITE_FAILED,
        what + " not written" + (e.getCode() > 0 ? " (HTTP " + e.getCode() + ")" : "") + ": " + server);
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

  private Part reconcileVirtualService(Plan plan, Pass pass) {
    ModelHost host = plan.host;
    Apis api = Apis.VIRTUAL_SERVICE;
    GenericKubernetesResource current = cluster.cached(api, host.getMetadata().getNamespace(), Names.virtualService(host));
    if (!host.getSpec().istio().enabled()) {
      deleteIfOwned(api, current, host, "Istio disabled for this ModelHost", pass);
      return Part.failed(Conditions.ISTIO_DISABLED, "spec.istio.enabled is false");
    }
    if (!cluster.installed(api)) {
      return Part.failed(Conditions.ISTIO_NOT_INSTALLED, "CRD " + api.crdName() + " not found: install Istio or set spec.istio.enabled=false");
    }
    Part unwanted = unwanted(plan, api, current, pass);
    if (unwanted != null) {
      return unwanted;
    }
    GenericKubernetesResource desired = VirtualServices.desired(host, settings);
    String key = api.kind() + "/" + desired.getMetadata().getNamespace() + "/" + desired.getMetadata().getName();
    Writer.Outcome outcome;
    try {
      outcome = write(key, desired, pass, () -> writer.apply(api, desired, current, host));
    } catch (WriteFailure failure) {
      return failure.part(false);
    }
    if (outcome == Writer.Outcome.NOT_OWNED) {
      return Part.failed(Conditions.NOT_OWNED, notOwned(api, desired));
    }
    return Part.ok(Conditions.PROGRAMMED, "VirtualService " + desired.getMetadata().getName() + " routes "
        + String.join(", ", host.getSpec().match().hosts()) + " to " + settings.interceptorHost());
  }

  /**
   * Why the ModelHost must not have a generated object of {@code api} — its target is missing, or
   * it lost a host conflict — after deleting the one it has; null when it should have one.
   */
  private Part unwanted(Plan plan, Apis api, GenericKubernetesResource current, Pass pass) {
    if (plan.target instanceof Targets.Missing missing) {
      deleteIfOwned(api, current, plan.host, "target not found", pass);
      return Part.failed(missing.reason(), missing.message());
    }
    if (plan.conflict != null) {
      deleteIfOwned(api, current, plan.host, "host conflict", pass);
      return Part.failed(Conditions.HOST_CONFLICT, plan.conflict.message());
    }
    return null;
  }

  private void deleteIfOwned(Apis api, GenericKubernetesResource current, ModelHost host, String why, Pass pass) {
    if (current != null && Owners.ownedBy(current, host)) {
      try {
        writer.delete(api, current, why);
      } catch (KubernetesClientException e) {
        log.warn("{}: {} {} not deleted ({}), will retry: {}", Names.key(host), api.kind(),
            current.getMetadata().getName(), why, describe(e));
        pass.failed = true;
      }
    }
  }

  /** Generated objects whose controlling ModelHost (by uid) is no longer in the cache. */
  private void deleteOrphans() {
    Set<String> uids = new HashSet<>();
    cluster.modelHosts().forEach(h -> uids.add(h.getMetadata().getUid()));
    for (Apis api : Apis.values()) {
      if (!cluster.ready(api)) {
        continue;
      }
      for (GenericKubernetesResource object : cluster.cached(api)) {
        boolean orphan = Owners.ownedByAnyModelHost(object) && object.getMetadata().getOwnerReferences().stream()
            .filter(ref -> ModelHost.KIND.equals(ref.getKind()))
            .noneMatch(ref -> uids.contains(ref.getUid()));
        if (orphan && object.getMetadata().getDeletionTimestamp() == null) {
          writer.delete(api, object, "its ModelHost is gone");
        }
      }
    }
  }

  /** Writes the table if it changed; returns the RoutesProgrammed failure, or null when it is in place. */
  private Part writeRouteTable(List<Route> routes, Pass pass) {
    ConfigMap current = cluster.routeTable();
    long previousVersion = 0;
    String json = current != null && current.getData() != null ? current.getData().get(Names.ROUTE_TABLE_KEY) : null;
    if (json != null) {
      try {
        RouteTable stored = Routes.fromJson(json);
        previousVersion = stored.getVersion();
        if (Routes.table(routes, stored.getVersion()).equals(stored)) {
          return null;
        }
      } catch (InvalidProtocolBufferException e) {
        log.warn("route table {}/{} is not valid JSON; replacing it: {}", settings.wakegateNamespace(),
            Names.ROUTE_TABLE_CONFIGMAP, e.getMessage());
      }
    }
    RouteTable table = Routes.table(routes, Routes.nextVersion(previousVersion, clock.millis()));
    String key = "ConfigMap/" + settings.wakegateNamespace() + "/" + Names.ROUTE_TABLE_CONFIGMAP;
    try {
      write(key, Routes.table(routes, 0), pass, () -> {
        writer.writeRouteTable(settings.wakegateNamespace(), current, Routes.toJson(table));
        return null;
      });
    } catch (WriteFailure failure) {
      return failure.part(false);
    }
    log.info("route table {}/{} version {}: {} routes", settings.wakegateNamespace(), Names.ROUTE_TABLE_CONFIGMAP,
        table.getVersion(), table.getRoutesCount());
    return null;
  }

  /**
   * One Event per transition of {@code Ready} (its status or reason changed): a Warning with the
   * reason and message of what is wrong, or a Normal one when it becomes ready. The other
   * conditions explain the same transition and get none of their own.
   */
  private void recordEvent(ModelHost host, List<ModelHostCondition> before, List<ModelHostCondition> after) {
    ModelHostCondition now = Conditions.find(after, Conditions.READY);
    ModelHostCondition was = Conditions.find(before, Conditions.READY);
    if (now == null || (was != null && was.status().equals(now.status()) && Objects.equals(was.reason(), now.reason()))) {
      return;
    }
    boolean ready = Conditions.TRUE.equals(now.status());
    writer.event(host, !ready, now.reason(), now.message());
    if (ready) {
      log.info("{}: ready: {}", Names.key(host), now.message());
    } else {
      log.warn("{}: not ready ({}): {}", Names.key(host), now.reason(), now.message());
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

  /** What the pass decided for one ModelHost, and its ScaledObject's state once written. */
  private static final class Plan {
    final ModelHost host;
    final String problem;
    final Targets.Resolution target;
    final Claims.Conflict conflict;
    /** The ModelHost whose ScaledObject scales the same workload, or null. */
    final String scaledBy;
    Part scaledObject;

    Plan(ModelHost host, String problem, Targets.Resolution target, Claims.Conflict conflict, String scaledBy) {
      this.host = host;
      this.problem = problem;
      this.target = target;
      this.conflict = conflict;
      this.scaledBy = scaledBy;
    }

    boolean routable() {
      return problem == null && target instanceof Targets.Found && conflict == null;
    }

    io.wakegate.controller.desired.ResolvedTarget found() {
      return ((Targets.Found) target).target();
    }
  }

  /** What one pass did: its time, whether a write failed, the objects it wrote or skipped. */
  private static final class Pass {
    final Instant now;
    final Set<String> keys = new HashSet<>();
    boolean failed;

    Pass(Instant now) {
      this.now = now;
    }
  }

  /** A write that failed now or earlier and is backing off; its condition. */
  private static final class WriteFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Part part;

    WriteFailure(Part part) {
      super(part.message(), null, false, false);
      this.part = part;
    }

    /** The condition; {@code stillWritten}: an older version of the object is in place (still ours). */
    Part part(boolean stillWritten) {
      return new Part(part.status(), part.reason(), part.message(), stillWritten);
    }
  }
}
