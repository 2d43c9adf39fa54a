package io.wakegate.interceptor.backend;

/**
 * Supplies a route's ready endpoints.
 *
 * <p>Threading: {@link #start} and {@link #close} are called by the route registry (not an event
 * loop). {@link #wake} and {@link #connectFailed} are called on Netty event loops and must not
 * block: hand work to the source's own executor. The source calls its listener from its own
 * threads.
 */
public interface EndpointSource extends AutoCloseable {

    /** Begins discovering endpoints; tells {@code listener} of every change. Called once. */
    void start(EndpointListener listener);

    /**
     * A request is waiting and no endpoint is ready. A source that can wake its backend (start a
     * process, probe right away) does so now. Called for every held request; must be cheap.
     */
    void wake();

    /**
     * Connecting to {@code endpoint} failed before any byte was sent, so the gate has taken it out
     * of its ready set. The source re-checks it and reports its ready list again once it knows —
     * even when that list is unchanged, or the endpoint stays out for good.
     */
    void connectFailed(Endpoint endpoint);

    /** A short state for the admin endpoints, e.g. {@code ready}, {@code probing}. */
    String state();

    /** What {@code /queue} shows of this source: at least its state. */
    default java.util.Map<String, Object> describe() {
        return java.util.Map.of("state", state());
    }

    /** Stops discovery and releases the source's resources. Idempotent. */
    @Override
    void close();
}
