package io.wakegate.controller.desired;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.wakegate.controller.crd.ColdStartSpec;
import io.wakegate.controller.crd.MatchSpec;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostSpec;
import io.wakegate.proto.routes.Failover;
import io.wakegate.proto.routes.ForwardTo;
import io.wakegate.proto.routes.HeaderMatch;
import io.wakegate.proto.routes.Hold;
import io.wakegate.proto.routes.KubernetesBackend;
import io.wakegate.proto.routes.Match;
import io.wakegate.proto.routes.Route;
import io.wakegate.proto.routes.RouteTable;
import io.wakegate.proto.routes.StreamKeepAlive;
import io.wakegate.proto.routes.WaitingPage;
import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;

/** The route-table entry of a ModelHost, the table, and its JSON form (the ConfigMap's {@code routes.json}). */
public final class Routes {

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private Routes() {
  }

  /**
   * The entry for {@code host}, whose target resolved to {@code target}. Its match carries hosts
   * (lower case), path prefixes (without trailing "/"), headers (names lower case) and models
   * (as written, declared order, each once).
   *
   * @param wakeable false when nothing will scale the workload up from zero (no ScaledObject of
   *     ours); the interceptors then forward while it has endpoints and never hold
   */
  public static Route entry(ModelHost host, ResolvedTarget target, boolean wakeable) {
    ModelHostSpec spec = host.getSpec();
    MatchSpec match = spec.match();
    ColdStartSpec coldStart = spec.coldStart();
    Match.Builder m = Match.newBuilder();
    match.hosts().forEach(h -> m.addHosts(h.toLowerCase(Locale.ROOT)));
    match.pathPrefixes().forEach(p -> m.addPathPrefixes(normalizePath(p)));
    match.headers().forEach(h -> m.addHeaders(
        HeaderMatch.newBuilder().setName(h.name().toLowerCase(Locale.ROOT)).setValue(h.value())));
    // Declared order, repeats dropped: the table changes only when the spec does, and an empty
    // list prints nothing, so a ModelHost without models gives the same document as before.
    m.addAllModels(match.distinctModels());
    KubernetesBackend.Builder backend = KubernetesBackend.newBuilder()
        .setNamespace(host.getMetadata().getNamespace())
        .setService(target.service())
        .setPortNumber(target.portNumber())
        .setPortName(target.portName())
        .setForwardTo(spec.forwardTo() == ModelHostSpec.ForwardTo.Service ? ForwardTo.FORWARD_TO_SERVICE : ForwardTo.FORWARD_TO_PODS)
        .setWorkload(target.workload());
    if (coldStart.readinessPath() != null) {
      backend.setReadinessPath(coldStart.readinessPath());
    }
    return Route.newBuilder()
        .setName(Names.route(host))
        .setMatch(m)
        .setBackend(backend)
        .setHold(hold(coldStart, wakeable))
        .setMaxConcurrencyPerEndpoint(spec.maxConcurrencyPerEndpoint())
        .setResponseHeaderTimeoutMs(spec.responseHeaderTimeoutSeconds() * 1000L)
        .build();
  }

  /**
   * Holding, and what a held client sees: each of keep-alive, waiting page and failover only when
   * the spec has it (absent, not a zero-valued message), times in milliseconds.
   */
  private static Hold hold(ColdStartSpec coldStart, boolean wakeable) {
    Hold.Builder hold = Hold.newBuilder()
        .setColdStartTimeoutMs(coldStart.timeoutSeconds() * 1000L)
        .setMaxPendingRequests(coldStart.maxPendingRequests())
        .setNotWakeable(!wakeable);
    if (coldStart.streamKeepAlive() != null) {
      hold.setStreamKeepAlive(StreamKeepAlive.newBuilder()
          .setAfterMs(coldStart.streamKeepAlive().afterSeconds() * 1000L)
          .setIntervalMs(coldStart.streamKeepAlive().intervalSeconds() * 1000L));
    }
    if (coldStart.waitingPage() != null) {
      WaitingPage.Builder page = WaitingPage.newBuilder().setAfterMs(coldStart.waitingPage().afterSeconds() * 1000L);
      if (coldStart.waitingPage().refreshSeconds() != null) {
        page.setRefreshMs(coldStart.waitingPage().refreshSeconds() * 1000L);
      }
      if (coldStart.waitingPage().template() != null) {
        page.setTemplate(coldStart.waitingPage().template());
      }
      hold.setWaitingPage(page);
    }
    if (coldStart.failover() != null) {
      Failover.Builder failover = Failover.newBuilder()
          .setUrl(coldStart.failover().baseUrl())
          .setOnQueueFull(coldStart.failover().onQueueFull());
      if (coldStart.failover().afterSeconds() != null) {
        failover.setAfterMs(coldStart.failover().afterSeconds() * 1000L);
      }
      hold.setFailover(failover);
    }
    return hold.build();
  }

  /** A table of {@code routes}, sorted by name. */
  public static RouteTable table(Collection<Route> routes, long version) {
    return RouteTable.newBuilder()
        .setVersion(version)
        .addAllRoutes(routes.stream().sorted(Comparator.comparing(Route::getName)).toList())
        .build();
  }

  /** The version of the table replacing one of {@code previous}: now, but always above the previous one. */
  public static long nextVersion(long previous, long nowMillis) {
    return Math.max(previous + 1, nowMillis);
  }

  public static String toJson(RouteTable table) {
    try {
      return PRINTER.print(table);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a RouteTable always prints", e);
    }
  }

  /** Parses a table as the interceptors do (unknown fields ignored). */
  public static RouteTable fromJson(String json) throws InvalidProtocolBufferException {
    RouteTable.Builder builder = RouteTable.newBuilder();
    PARSER.merge(json, builder);
    return builder.build();
  }

  /** "/v1/" and "/v1" are the same prefix (segment-boundary matching); "/" stays "/". */
  static String normalizePath(String prefix) {
    String p = prefix.startsWith("/") ? prefix : "/" + prefix;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
