package io.wakegate.interceptor.admin;

import io.wakegate.interceptor.backend.EndpointSource;
import io.wakegate.interceptor.backend.SourceStatus;
import io.wakegate.interceptor.demand.DemandCounter;
import io.wakegate.interceptor.hold.ColdStarts;
import io.wakegate.interceptor.hold.FailoverBackend;
import io.wakegate.interceptor.http.Reason;
import io.wakegate.interceptor.metrics.RouteMetrics;
import io.wakegate.interceptor.routing.Route;
import io.wakegate.interceptor.routing.RoutePolicy;
import io.wakegate.interceptor.routing.RouteTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes as the admin API shows them, and what an operator may do with them: wake a route
 * without a request, or put its backend to sleep.
 *
 * <p>A wake starts a local process or probes a static backend now. A backend that KEDA scales
 * ({@link EndpointSource#scaledByDemand()}) is woken by demand instead: the wake counts as one
 * held request in the demand reports until the route is ready or its {@code coldStartTimeout}
 * passes. A sleep stops a local process once nothing is in flight, and is refused while requests
 * are held (they would wake it again) and for backends Wakegate does not start.
 *
 * <p>Threading: called on the admin event loop; nothing here blocks. The stages returned complete
 * on the admin loop or the backend's executor; wake timers run on {@code scheduler}.
 */
public final class RouteControl implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RouteControl.class);
    private static final long WAKE_CHECK_MILLIS = 250;

    /**
     * What a control call did. {@code status} is the HTTP status; on success {@code route} is the
     * route afterwards, otherwise {@code reason} (a stable code) and {@code message} say why not.
     */
    public record Outcome(int status, RouteStatus route, String reason, String message) {
        static Outcome ok(int status, RouteStatus route) {
            return new Outcome(status, route, null, null);
        }

        static Outcome refused(int status, String reason, String message) {
            return new Outcome(status, null, reason, message);
        }
    }

    private final Supplier<RouteTable> table;
    private final ScheduledExecutorService scheduler;
    /** Demand-driven wakes in progress, by route name. */
    private final ConcurrentHashMap<String, PendingWake> wakes = new ConcurrentHashMap<>();

    public RouteControl(Supplier<RouteTable> table, ScheduledExecutorService scheduler) {
        this.table = table;
        this.scheduler = scheduler;
    }

    /** Every route of the current table, in table order. */
    public List<RouteStatus> list() {
        RouteTable current = table.get();
        Map<Route, List<String>> models = modelsByRoute(current);
        List<RouteStatus> out = new ArrayList<>();
        for (Route route : current.list()) {
            out.add(status(route, models.getOrDefault(route, List.of())));
        }
        return out;
    }

    /** Wakes {@code name}: 202 once asked, 200 when it is ready already, 404 when unknown. */
    public CompletionStage<Outcome> wake(String name) {
        Route route = table.get().routes().get(name);
        if (route == null) {
            return CompletableFuture.completedFuture(unknown(name));
        }
        if (!route.gate().readyEndpoints().isEmpty()) {
            return CompletableFuture.completedFuture(Outcome.ok(200, status(route)));
        }
        EndpointSource source = route.source();
        if (source.scaledByDemand()) {
            wakes.computeIfAbsent(name, n -> new PendingWake(route));
        } else {
            source.wake();
        }
        log.info("route {}: woken from the admin API", name);
        return CompletableFuture.completedFuture(Outcome.ok(202, status(route)));
    }

    /**
     * Puts {@code name} to sleep: completes with 200 once its process has stopped; 409 while
     * requests are held or when Wakegate does not start its backend; 404 when unknown.
     */
    public CompletionStage<Outcome> sleep(String name) {
        Route route = table.get().routes().get(name);
        if (route == null) {
            return CompletableFuture.completedFuture(unknown(name));
        }
        int held = route.gate().heldCount();
        if (held > 0) {
            return CompletableFuture.completedFuture(Outcome.refused(409, "requests-held", held
                    + " request(s) are held waiting for this route and would wake it again; sleep it once they are"
                    + " answered"));
        }
        log.info("route {}: put to sleep from the admin API", name);
        return route.source().sleep().handle((done, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause == null) {
                return Outcome.ok(200, status(route));
            }
            if (cause instanceof UnsupportedOperationException) {
                return Outcome.refused(409, "not-stoppable", cause.getMessage());
            }
            if (cause instanceof IllegalStateException) {
                return Outcome.refused(409, "not-now", cause.getMessage());
            }
            log.warn("route {}: sleep failed", name, cause);
            return Outcome.refused(500, "sleep-failed", String.valueOf(cause.getMessage()));
        });
    }

    /** Ends the demand-driven wakes in progress, so a shutdown does not wait for them. */
    @Override
    public void close() {
        for (PendingWake wake : List.copyOf(wakes.values())) {
            wake.end();
        }
    }

    private static Outcome unknown(String name) {
        return Outcome.refused(404, "unknown-route", "no route is named " + name);
    }

    RouteStatus status(Route route) {
        return status(route, modelsByRoute(table.get()).getOrDefault(route, List.of()));
    }

    /**
     * The model names of each route of {@code current}, sorted: {@link RouteTable#models()}
     * inverted. That table keeps one route per model, so a model that routes on different hosts
     * list shows under the first of them only.
     */
    private static Map<Route, List<String>> modelsByRoute(RouteTable current) {
        Map<Route, List<String>> models = new IdentityHashMap<>();
        current.models().forEach((model, route) -> models.computeIfAbsent(route, r -> new ArrayList<>()).add(model));
        return models;
    }

    private RouteStatus status(Route route, List<String> models) {
        SourceStatus source = route.source().status();
        RouteMetrics.Rejection rejection = route.metrics().lastRejection();
        String error = source.lastError();
        Instant errorAt = source.lastErrorAt();
        if (rejection != null && (errorAt == null || rejection.at().isAfter(errorAt))) {
            error = rejection.reason().code() + ": " + rejection.reason().message();
            errorAt = rejection.at();
        }
        int held = route.gate().heldCount();
        DemandCounter demand = route.demand();
        long coldStart = route.metrics().lastColdStartNanos();
        return new RouteStatus(route.name(), source.kind(), models, state(route, source, held), held,
                demand.inFlight(), demand.snapshot().requestCount(),
                coldStart < 0 ? null : TimeUnit.NANOSECONDS.toMillis(coldStart),
                error, errorAt == null ? null : errorAt.toString(), source.pid() < 0 ? null : source.pid(),
                coldStarts(route), whileHeld(route));
    }

    private static RouteStatus.ColdStarts coldStarts(Route route) {
        ColdStarts.Snapshot seen = route.gate().coldStarts().snapshot();
        List<Long> recent = new ArrayList<>(seen.recentMillis().length);
        for (long millis : seen.recentMillis()) {
            recent.add(millis);
        }
        long current = route.gate().coldStartElapsedNanos();
        return new RouteStatus.ColdStarts(seen.observed(), seen.observed() == 0 ? null : seen.medianMillis(), recent,
                current == 0 ? null : TimeUnit.NANOSECONDS.toMillis(current),
                route.gate().retryAfterSeconds(Reason.QUEUE_FULL));
    }

    private static RouteStatus.WhileHeld whileHeld(Route route) {
        RoutePolicy policy = route.policy();
        Map<String, Object> keepAlive = null;
        if (policy.streamKeepAlive() != null) {
            keepAlive = new LinkedHashMap<>();
            keepAlive.put("afterMillis", policy.streamKeepAlive().after().toMillis());
            keepAlive.put("intervalMillis", policy.streamKeepAlive().interval().toMillis());
        }
        Map<String, Object> page = null;
        if (policy.waitingPage() != null) {
            page = new LinkedHashMap<>();
            page.put("afterMillis", policy.waitingPage().after().toMillis());
            page.put("refreshMillis", policy.waitingPage().refresh() == null ? null
                    : policy.waitingPage().refresh().toMillis());
            page.put("template", policy.waitingPage().template() == null ? "built-in" : "custom");
        }
        Map<String, Object> failover = null;
        FailoverBackend target = route.failover();
        if (target != null) {
            failover = new LinkedHashMap<>();
            failover.put("url", target.config().url().toString());
            failover.put("afterMillis", target.config().after() == null ? null : target.config().after().toMillis());
            failover.put("onQueueFull", target.config().onQueueFull());
            failover.put("ready", target.ready());
        }
        return keepAlive == null && page == null && failover == null ? null
                : new RouteStatus.WhileHeld(keepAlive, page, failover);
    }

    /** {@code sleeping}, {@code waking}, {@code ready} or {@code failed}: what the admin API and {@code /v1/models} show. */
    public String state(Route route) {
        return state(route, route.source().status(), route.gate().heldCount());
    }

    private String state(Route route, SourceStatus source, int held) {
        SourceStatus.Phase phase;
        if (!route.gate().readyEndpoints().isEmpty()) {
            phase = SourceStatus.Phase.READY;
        } else if (source.phase() == SourceStatus.Phase.FAILED) {
            phase = SourceStatus.Phase.FAILED;
        } else if (source.phase() == SourceStatus.Phase.WAKING || held > 0 || wakes.containsKey(route.name())) {
            phase = SourceStatus.Phase.WAKING;
        } else {
            phase = SourceStatus.Phase.SLEEPING;
        }
        return phase.name().toLowerCase(Locale.ROOT);
    }

    /** One demand-driven wake: counted as demand until the route is ready or its cold-start timeout passes. */
    private final class PendingWake {
        private final Route route;
        private final long deadline;
        private final ScheduledFuture<?> check;
        private boolean ended;

        PendingWake(Route route) {
            this.route = route;
            this.deadline = System.nanoTime() + route.policy().coldStartTimeout().toNanos();
            if (route.demand().wakeStarted()) {
                route.demand().signalActivation(); // pushes the report now, as a first held request does
            }
            this.check = scheduler.scheduleWithFixedDelay(this::check, WAKE_CHECK_MILLIS, WAKE_CHECK_MILLIS,
                    TimeUnit.MILLISECONDS);
        }

        private void check() {
            boolean ready = !route.gate().readyEndpoints().isEmpty();
            boolean removed = table.get().routes().get(route.name()) != route;
            if (ready || removed || System.nanoTime() - deadline >= 0) {
                if (!ready && !removed) {
                    log.info("route {}: woken from the admin API but not ready within its coldStartTimeout",
                            route.name());
                }
                end();
            }
        }

        synchronized void end() {
            if (ended) {
                return;
            }
            ended = true;
            check.cancel(false);
            wakes.remove(route.name(), this);
            route.demand().wakeEnded();
        }
    }
}
