package io.wakegate.interceptor.hold;

import io.netty.util.concurrent.EventExecutor;
import io.wakegate.interceptor.backend.EndpointSource;
import io.wakegate.interceptor.config.FailoverConfig;
import io.wakegate.interceptor.demand.DemandCounter;
import io.wakegate.interceptor.http.Reason;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A route's failover backend: where its held requests go instead of failing ({@code hold.failover}).
 * It has a gate of its own over its own source (the failover URL, probed and re-resolved like a
 * static backend) that never holds: a request is admitted at once to a ready failover endpoint,
 * or stays held on its route as if there were no failover. Nothing here wakes anything, and its
 * demand is not reported to the scaler: the route's own backend is the one that must wake.
 *
 * <p>A failed-over request still counts as in flight on its route until it ends, so its route's
 * demand — what scales the real backend up — does not drop when the request leaves the queue.
 *
 * <p>Thread-safe.
 */
public final class FailoverBackend implements AutoCloseable {

    private volatile FailoverConfig config;
    private final RouteGate gate;
    private final EndpointSource source;

    /** Starts {@code source} at once: the failover must be ready before the first request needs it. */
    public FailoverBackend(String route, FailoverConfig config, EndpointSource source) {
        this.config = config;
        this.source = source;
        String name = route + " (failover)";
        this.gate = new RouteGate(name, new DemandCounter(name, () -> { }), new HoldLimit(1), 1, 0,
                nanos -> { }, nanos -> { });
        gate.neverWake(); // never held: admitted to a ready endpoint at once, or refused at once
        gate.source(source);
        source.start(gate);
    }

    public FailoverConfig config() {
        return config;
    }

    /** A reload changed the failover's timing or headers, not its URL: the source and its state stay. */
    public void config(FailoverConfig next) {
        if (!next.url().equals(config.url())) {
            throw new IllegalArgumentException("url: " + next.url() + " (expected: " + config.url() + ")");
        }
        this.config = next;
    }

    /** Whether a failover endpoint is ready now. */
    public boolean ready() {
        return !gate.readyEndpoints().isEmpty();
    }

    /**
     * A lease on a ready failover endpoint, or null when none is ready. Called on {@code loop};
     * the lease also counts the request in flight on {@code routeDemand} until released.
     */
    public Lease lease(EventExecutor loop, DemandCounter routeDemand) {
        // The gate decides at once — it never queues (not wakeable, no per-endpoint cap) — so the
        // holder has heard the decision when admit returns.
        Lease[] admitted = new Lease[1];
        gate.admit(loop, Duration.ofSeconds(1), new Ticket.Holder() {
            @Override
            public void admitted(Lease lease) {
                admitted[0] = lease;
            }

            @Override
            public void rejected(Reason reason) {
                // nothing ready: the request stays where it is
            }
        });
        if (admitted[0] == null) {
            return null;
        }
        if (routeDemand.admitted()) {
            routeDemand.signalActivation();
        }
        return new CountedLease(admitted[0], routeDemand);
    }

    /** A failover lease that also counts as in flight on the request's own route. */
    private static final class CountedLease implements Lease {
        private final Lease inner;
        private final DemandCounter routeDemand;
        private final AtomicBoolean ended = new AtomicBoolean();

        CountedLease(Lease inner, DemandCounter routeDemand) {
            this.inner = inner;
            this.routeDemand = routeDemand;
        }

        @Override
        public io.wakegate.interceptor.backend.Endpoint endpoint() {
            return inner.endpoint();
        }

        @Override
        public void release() {
            inner.release();
            end();
        }

        @Override
        public void requests(int count) {
            inner.requests(count);
        }

        @Override
        public Lease trade() {
            Lease next = inner.trade();
            if (next == null) {
                end();
                return null;
            }
            ended.set(true); // the traded lease carries this one's count on: not counted twice
            return new CountedLease(next, routeDemand);
        }

        private void end() {
            if (ended.compareAndSet(false, true)) {
                routeDemand.finished();
            }
        }

        @Override
        public String toString() {
            return inner + " (failover)";
        }
    }

    @Override
    public void close() {
        gate.close(Reason.ROUTE_REMOVED);
        source.close();
    }
}
