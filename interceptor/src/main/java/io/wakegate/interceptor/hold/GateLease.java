package io.wakegate.interceptor.hold;

import io.wakegate.interceptor.backend.Endpoint;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link Lease} taken from a {@link RouteGate}. */
final class GateLease implements Lease {

    /** Endpoints one request tries at most before it is answered connect-failed. */
    static final int MAX_ATTEMPTS = 3;

    private final RouteGate gate;
    private final Endpoint endpoint;
    private final int attempt;
    private final AtomicBoolean ended = new AtomicBoolean();

    GateLease(RouteGate gate, Endpoint endpoint, int attempt) {
        this.gate = gate;
        this.endpoint = endpoint;
        this.attempt = attempt;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public void release() {
        if (ended.compareAndSet(false, true)) {
            gate.release(endpoint);
        }
    }

    @Override
    public Lease trade() {
        if (!ended.compareAndSet(false, true)) {
            throw new IllegalStateException("lease on " + endpoint + " already ended");
        }
        Endpoint next = gate.reassign(endpoint, attempt < MAX_ATTEMPTS);
        return next == null ? null : new GateLease(gate, next, attempt + 1);
    }

    @Override
    public String toString() {
        return endpoint + (ended.get() ? " (ended)" : "");
    }
}
