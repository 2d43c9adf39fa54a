package io.wakegate.interceptor.demand;

/**
 * One route's demand counters at one instant.
 *
 * @param route            the route's name (in Kubernetes mode {@code namespace/name})
 * @param held             requests waiting for a ready endpoint now, plus operators' wakes in progress
 *                         (each counts as one waiting request, so the scaler wakes the backend)
 * @param inFlight         requests admitted to a backend whose response (or tunnel) has not ended
 * @param requestCount     requests received since start; monotonic
 * @param concurrencyNanos cumulative time-integral of {@code held + inFlight}, in
 *                         request-nanoseconds since start. It only grows but may wrap
 *                         around {@code Long.MAX_VALUE}: compute intervals by subtraction
 *                         ({@code b.concurrencyNanos() - a.concurrencyNanos()}), which stays
 *                         exact across the wrap
 * @param nanoTime         {@link System#nanoTime()} at which the integral was taken
 */
public record RouteDemand(String route, int held, int inFlight, long requestCount,
                          long concurrencyNanos, long nanoTime) {

    /** Whether anything is held or in flight. */
    public boolean active() {
        return held > 0 || inFlight > 0;
    }
}
