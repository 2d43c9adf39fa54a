package io.wakegate.interceptor.hold;

import io.wakegate.interceptor.backend.Endpoint;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** A {@link Lease} taken from a {@link RouteGate}. */
final class GateLease implements Lease {

    /** Endpoints one request tries at most before it is answered connect-failed. */
    static final int MAX_ATTEMPTS = 3;

    private final RouteGate gate;
    private final Endpoint endpoint;
    private final int attempt;
    /** 1 once released or traded; a field updater rather than an AtomicBoolean: one object less per request. */
    private volatile int ended;
    private static final AtomicIntegerFieldUpdater<GateLease> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(GateLease.class, "ended");
    /** Requests the lease stands for; changed on the request's loop only (see {@link Lease#requests}). */
    private volatile int requests = 1;

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
        if (ENDED.compareAndSet(this, 0, 1)) {
            gate.release(endpoint, requests);
        }
    }

    @Override
    public void requests(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
        }
        int delta = count - requests;
        if (delta != 0 && ended == 0) {
            requests = count;
            gate.move(endpoint, delta);
        }
    }

    @Override
    public Lease trade() {
        if (!ENDED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException("lease on " + endpoint + " already ended");
        }
        if (requests != 1) {
            throw new IllegalStateException("lease on " + endpoint + " traded after it carried " + requests + " requests");
        }
        Endpoint next = gate.reassign(endpoint, attempt < MAX_ATTEMPTS);
        return next == null ? null : new GateLease(gate, next, attempt + 1);
    }

    @Override
    public String toString() {
        return endpoint + (ended != 0 ? " (ended)" : "");
    }
}
