package io.wakegate.interceptor.routing;

import io.wakegate.interceptor.backend.EndpointSource;
import io.wakegate.interceptor.backend.EndpointSourceFactory;
import io.wakegate.interceptor.config.BackendConfig;
import io.wakegate.interceptor.config.Durations;
import io.wakegate.interceptor.config.FailoverConfig;
import io.wakegate.interceptor.config.ForwardingConfig;
import io.wakegate.interceptor.config.HeaderMatchConfig;
import io.wakegate.interceptor.config.HealthCheckConfig;
import io.wakegate.interceptor.config.HoldConfig;
import io.wakegate.interceptor.config.MatchConfig;
import io.wakegate.interceptor.config.RouteConfig;
import io.wakegate.interceptor.config.StaticBackendConfig;
import io.wakegate.interceptor.demand.DemandCounter;
import io.wakegate.interceptor.demand.DemandRegistry;
import io.wakegate.interceptor.hold.FailoverBackend;
import io.wakegate.interceptor.hold.HoldLimit;
import io.wakegate.interceptor.hold.RouteGate;
import io.wakegate.interceptor.http.Reason;
import io.wakegate.interceptor.metrics.ProxyMetrics;
import io.wakegate.interceptor.metrics.RouteMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns route configuration into live {@link Route}s and publishes them as one
 * {@link RouteTable}. A reload keeps every route whose name stays (held requests, counters and
 * endpoints survive), replaces a backend's source only when its configuration changed, and
 * retires removed routes: their held requests get 503 {@code route-removed}, their in-flight
 * requests finish.
 *
 * <p>{@link #apply} is called by one thread at a time (start-up, the config watcher); the
 * request path only calls {@link #current()}.
 */
public final class RouteRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RouteRegistry.class);

    private final AtomicReference<RouteTable> table = new AtomicReference<>(RouteTable.EMPTY);
    private final DemandRegistry demand;
    private final ProxyMetrics metrics;
    private final HoldLimit holdLimit;
    private final EndpointSourceFactory sources;
    private final Map<String, BackendConfig> backends = new HashMap<>();

    public RouteRegistry(DemandRegistry demand, ProxyMetrics metrics, HoldLimit holdLimit,
                         EndpointSourceFactory sources) {
        this.demand = demand;
        this.metrics = metrics;
        this.holdLimit = holdLimit;
        this.sources = sources;
    }

    /** The current table: one volatile read. */
    public RouteTable current() {
        return table.get();
    }

    /**
     * Publishes a table for {@code routes}. Throws IllegalArgumentException, leaving the current
     * table in place, when a route's match rule is invalid.
     */
    public RouteTable apply(List<RouteConfig> routes, ForwardingConfig forwarding) {
        return apply(routes, forwarding, Set.of());
    }

    /**
     * As {@link #apply(List, ForwardingConfig)}; the routes named in {@code notWakeable} have
     * nothing to wake their backend, so their requests are never held for a wake.
     */
    public synchronized RouteTable apply(List<RouteConfig> routes, ForwardingConfig forwarding,
                                         Set<String> notWakeable) {
        RouteTable previous = table.get();
        // Validate every rule before touching live state: a bad table changes nothing.
        List<RouteRule> rules = new ArrayList<>(routes.size());
        for (int i = 0; i < routes.size(); i++) {
            try {
                rules.add(toRule(routes.get(i).match()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("routes[" + i + "].match." + e.getMessage(), e);
            }
        }
        checkModels(routes, rules);
        // Create the sources of new and changed backends before touching live state too: creating
        // one may fail (a port in use), and then nothing changes.
        Map<String, EndpointSource> created = new HashMap<>();
        try {
            for (RouteConfig config : routes) {
                Route existing = previous.routes().get(config.name());
                if (existing == null || !config.backend().equals(backends.get(config.name()))) {
                    created.put(config.name(), sources.create(config.name(), config.backend()));
                }
            }
        } catch (RuntimeException e) {
            created.values().forEach(RouteRegistry::closeQuietly);
            throw e;
        }
        RouteMatcher.Builder<Route> matcher = RouteMatcher.builder();
        Map<String, Route> live = new LinkedHashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig config = routes.get(i);
            RoutePolicy policy = policyOf(config, forwarding, !notWakeable.contains(config.name()));
            Route route = previous.routes().get(config.name());
            EndpointSource source = created.get(config.name());
            if (route == null) {
                route = create(config, policy, source);
            } else {
                route.policy(policy);
                if (source != null) {
                    log.info("route {}: backend changed to {}", config.name(), config.backend().kind());
                    closeQuietly(route.source()); // first: a process must free its port
                    route.source(source);
                }
            }
            updateFailover(route, config.hold().failover());
            backends.put(config.name(), config.backend());
            live.put(config.name(), route);
            matcher.add(rules.get(i), route);
        }
        RouteMatcher<Route> built = matcher.build();
        for (String conflict : built.conflicts()) {
            log.warn("route table: {}", conflict);
        }
        RouteTable next = new RouteTable(previous.version() + 1, built, live, modelsOf(routes, live));
        table.set(next);
        for (Route old : previous.routes().values()) {
            if (!live.containsKey(old.name())) {
                retire(old);
            }
        }
        log.info("route table version {}: {} route(s)", next.version(), live.size());
        return next;
    }

    /** Refuses a model name listed by two routes on one host, path prefix and header set. */
    private static void checkModels(List<RouteConfig> routes, List<RouteRule> rules) {
        RouteMatcher.Builder<Integer> probe = RouteMatcher.builder();
        for (int i = 0; i < rules.size(); i++) {
            probe.add(rules.get(i), i);
        }
        List<RouteMatcher.ModelConflict> conflicts = probe.build().modelConflicts();
        if (!conflicts.isEmpty()) {
            RouteMatcher.ModelConflict c = conflicts.get(0);
            throw new IllegalArgumentException("routes[" + c.entry() + "].match.models: " + c.model()
                    + " is already served by route " + routes.get(c.earlier()).name() + " on " + c.where()
                    + " (expected: each model name in one route per host, path prefix and headers)");
        }
    }

    /** Every model name with the first route listing it, sorted by name. */
    private static Map<String, Route> modelsOf(List<RouteConfig> routes, Map<String, Route> live) {
        Map<String, Route> models = new java.util.TreeMap<>();
        for (RouteConfig config : routes) {
            for (String model : config.match().models()) {
                models.putIfAbsent(model, live.get(config.name()));
            }
        }
        return models;
    }

    private Route create(RouteConfig config, RoutePolicy policy, EndpointSource source) {
        String name = config.name();
        DemandCounter counter = demand.counter(name);
        RouteMetrics routeMetrics = metrics.route(name, counter);
        RouteGate gate = new RouteGate(name, counter, holdLimit, policy.maxPendingRequests(),
                policy.maxConcurrencyPerEndpoint(), routeMetrics::coldStart, routeMetrics::held);
        gate.wakeable(policy.wakeable());
        Route route = new Route(name, policy, gate, counter, routeMetrics);
        route.source(source);
        log.info("route {}: added ({} backend)", name, config.backend().kind());
        return route;
    }

    private void retire(Route route) {
        log.info("route {}: removed; requests it holds are answered 503 route-removed", route.name());
        route.gate().close(Reason.ROUTE_REMOVED);
        closeQuietly(route.source());
        closeQuietly(route.failover(null));
        backends.remove(route.name());
        demand.retire(route.name()); // reported until drained, then no more
    }

    static RoutePolicy policyOf(RouteConfig config, ForwardingConfig forwarding, boolean wakeable) {
        HoldConfig hold = config.hold();
        FailoverConfig failover = hold.failover();
        return new RoutePolicy(hold.coldStartTimeout(), hold.maxPendingRequests(),
                config.maxConcurrencyPerEndpoint(), config.responseHeaderTimeout(forwarding), wakeable,
                hold.streamKeepAlive(), hold.waitingPage(), failover == null ? null : failover.after(),
                failover != null && failover.onQueueFull());
    }

    /**
     * Gives {@code route} the failover backend its configuration asks for: kept while its URL is
     * unchanged (its probe state survives), else replaced — the new one is probed from now.
     */
    private void updateFailover(Route route, FailoverConfig config) {
        FailoverBackend current = route.failover();
        if (current != null && config != null && current.config().url().equals(config.url())) {
            current.config(config);
            return;
        }
        FailoverBackend next = config == null ? null
                : new FailoverBackend(route.name(), config, failoverSource(route.name(), config));
        closeQuietly(route.failover(next));
        if (next != null) {
            log.info("route {}: fails over to {}{}{}", route.name(), config.url(),
                    config.after() == null ? "" : " after " + Durations.format(config.after()) + " held",
                    config.onQueueFull() ? " and when its hold queue is full" : "");
        }
    }

    private static void closeQuietly(FailoverBackend failover) {
        if (failover == null) {
            return;
        }
        try {
            failover.close();
        } catch (RuntimeException e) {
            log.warn("closing a failover backend failed", e);
        }
    }

    /** The failover URL as a static backend: probed (a TCP connect), re-resolved, off the event loops. */
    private EndpointSource failoverSource(String route, FailoverConfig config) {
        return sources.create(route + " (failover)", new BackendConfig(
                new StaticBackendConfig(List.of(config.url()), HealthCheckConfig.defaults()), null));
    }

    static RouteRule toRule(MatchConfig match) {
        List<HeaderCondition> headers = new ArrayList<>(match.headers().size());
        for (HeaderMatchConfig h : match.headers()) {
            headers.add(new HeaderCondition(h.name(), h.value()));
        }
        return new RouteRule(match.hosts(), match.pathPrefixes(), headers, match.models());
    }

    /** Refuses new requests on every route and fails what they hold with {@code reason}. */
    public synchronized void closeGates(Reason reason) {
        for (Route route : table.get().routes().values()) {
            route.gate().close(reason);
        }
    }

    @Override
    public synchronized void close() {
        for (Route route : table.get().routes().values()) {
            closeQuietly(route.source());
            closeQuietly(route.failover(null));
        }
    }

    private static void closeQuietly(EndpointSource source) {
        if (source == null) {
            return;
        }
        try {
            source.close();
        } catch (RuntimeException e) {
            log.warn("closing an endpoint source failed", e);
        }
    }
}
