package io.wakegate.interceptor.demand;

/**
 * One route's demand counters. Every transition is a single synchronized step, so a request
 * moving from held to in flight never makes the route look idle in between, and the integral is
 * exact: it advances by {@code (held + inFlight) × elapsed} at every change.
 *
 * <p>Thread-safe; called from any event loop. Critical sections are a few arithmetic operations.
 * {@link #holdStarted} and {@link #admitted} only say whether the route just became active; the
 * caller then runs {@link #signalActivation} once it holds no lock of its own (the gate moves
 * these counters under its lock, and the activation callback must not run there).
 */
public final class DemandCounter {

    private final String route;
    private final Runnable onActivation;
    private int held;
    private int inFlight;
    private int wakes;
    private long requestCount;
    private long concurrencyNanos;
    private long lastChangeNanos = System.nanoTime();

    /**
     * @param onActivation run when the route goes from no demand to some; must not block
     */
    public DemandCounter(String route, Runnable onActivation) {
        this.route = route;
        this.onActivation = onActivation;
    }

    public String route() {
        return route;
    }

    /** A request matched this route. */
    public synchronized void arrived() {
        requestCount++;
    }

    /** A request starts waiting for an endpoint; returns whether the route became active. */
    public boolean holdStarted() {
        return change(1, 0);
    }

    /** A held request stops waiting: admitted to an endpoint, or ended (timeout, abort, error). */
    public void holdEnded(boolean admitted) {
        change(-1, admitted ? 1 : 0);
    }

    /** A request is admitted to an endpoint without waiting; returns whether the route became active. */
    public boolean admitted() {
        return change(0, 1);
    }

    /** Runs the activation callback, after {@link #holdStarted} or {@link #admitted} said so, outside any lock. */
    public void signalActivation() {
        onActivation.run();
    }

    /**
     * An operator woke the route without a request: until {@link #wakeEnded} it counts as one held
     * request in {@link #snapshot()} (what the scaler sees), though not in {@link #held()}. Returns
     * whether the route became active.
     */
    public boolean wakeStarted() {
        return change(0, 0, 1);
    }

    /** A wake from {@link #wakeStarted} is over: the route is ready, or the wake timed out. */
    public void wakeEnded() {
        change(0, 0, -1);
    }

    /** An admitted request ended: its response finished, failed or its tunnel closed. */
    public void finished() {
        change(0, -1);
    }

    /**
     * Admitted requests started ({@code delta > 0}) or ended ({@code delta < 0}) on a connection
     * that already holds a slot: streams on a multiplexed connection. Returns whether the route
     * became active.
     */
    public boolean inFlightChanged(int delta) {
        return change(0, delta);
    }

    /** Returns whether this change took the route from zero demand to some. */
    private boolean change(int heldDelta, int inFlightDelta) {
        return change(heldDelta, inFlightDelta, 0);
    }

    private synchronized boolean change(int heldDelta, int inFlightDelta, int wakesDelta) {
        long now = System.nanoTime();
        int before = held + inFlight + wakes;
        concurrencyNanos += (long) (held + inFlight) * (now - lastChangeNanos); // requests only, not wakes
        lastChangeNanos = now;
        held += heldDelta;
        inFlight += inFlightDelta;
        wakes += wakesDelta;
        if (held < 0 || inFlight < 0 || wakes < 0) {
            throw new IllegalStateException("route " + route + ": demand counter went negative (held="
                    + held + ", inFlight=" + inFlight + ")");
        }
        return before == 0 && held + inFlight + wakes > 0;
    }

    public synchronized int held() {
        return held;
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    public synchronized RouteDemand snapshot() {
        long now = System.nanoTime();
        concurrencyNanos += (long) (held + inFlight) * (now - lastChangeNanos);
        lastChangeNanos = now;
        return new RouteDemand(route, held + wakes, inFlight, requestCount, concurrencyNanos, now);
    }
}
