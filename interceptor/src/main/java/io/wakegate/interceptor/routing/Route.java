package io.wakegate.interceptor.routing;

import io.wakegate.interceptor.backend.EndpointSource;
import io.wakegate.interceptor.demand.DemandCounter;
import io.wakegate.interceptor.hold.FailoverBackend;
import io.wakegate.interceptor.hold.RouteGate;
import io.wakegate.interceptor.metrics.RouteMetrics;

/**
 * A live route: what a matched request is handed to. It outlives table reloads that keep its
 * name, so held requests, counters and endpoint state survive them; its policy and source may be
 * replaced in place.
 *
 * <p>Thread-safe: the fields a reload replaces are volatile and read once per request.
 */
public final class Route {

    private final String name;
    private final RouteGate gate;
    private final DemandCounter demand;
    private final RouteMetrics metrics;
    private volatile RoutePolicy policy;
    private volatile EndpointSource source;
    private volatile FailoverBackend failover;

    public Route(String name, RoutePolicy policy, RouteGate gate, DemandCounter demand, RouteMetrics metrics) {
        this.name = name;
        this.policy = policy;
        this.gate = gate;
        this.demand = demand;
        this.metrics = metrics;
    }

    public String name() {
        return name;
    }

    public RoutePolicy policy() {
        return policy;
    }

    public RouteGate gate() {
        return gate;
    }

    public DemandCounter demand() {
        return demand;
    }

    public RouteMetrics metrics() {
        return metrics;
    }

    public EndpointSource source() {
        return source;
    }

    /** Applies a reloaded policy; held requests keep the timeouts they started with. */
    public void policy(RoutePolicy policy) {
        this.policy = policy;
        gate.updateLimits(policy.maxPendingRequests(), policy.maxConcurrencyPerEndpoint());
        gate.wakeable(policy.wakeable());
    }

    /**
     * Connects a new endpoint source, at creation or when the backend changed. The caller has
     * closed the previous one (a process backend must release its port first); its endpoints are
     * forgotten, so requests wait for the new source's.
     */
    public void source(EndpointSource next) {
        gate.endpointsChanged(java.util.List.of());
        this.source = next;
        gate.source(next);
        next.start(gate);
    }

    /** Where held requests go instead of failing, or null (see {@link RoutePolicy#failoverAfter()}). */
    public FailoverBackend failover() {
        return failover;
    }

    /** Replaces the failover backend (null: none); returns the previous one, for the caller to close. */
    public FailoverBackend failover(FailoverBackend next) {
        FailoverBackend previous = failover;
        failover = next;
        return previous;
    }

    @Override
    public String toString() {
        return name;
    }
}
