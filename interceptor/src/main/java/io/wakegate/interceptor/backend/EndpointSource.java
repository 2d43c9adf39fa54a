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

    /** What the admin API shows of this source. Any thread; cheap, no I/O. */
    default SourceStatus status() {
        return new SourceStatus("other", "ready".equals(state()) ? SourceStatus.Phase.READY
                : SourceStatus.Phase.SLEEPING, null, null, -1);
    }

    /**
     * Whether something outside Wakegate starts and stops the backend on reported demand (KEDA):
     * then an operator's wake is reported as demand and a sleep is refused.
     */
    default boolean scaledByDemand() {
        return false;
    }

    /**
     * An operator asked to stop the backend: stop it once nothing is in flight. The stage completes
     * when it has stopped, or exceptionally with an {@link UnsupportedOperationException} whose
     * message says why this source cannot. Called on an event loop: must not block.
     */
    default java.util.concurrent.CompletionStage<Void> sleep() {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException(
                "Wakegate does not start or stop this " + status().kind() + " backend"));
    }

    /** What {@code /queue} shows of this source: at least its state. */
    default java.util.Map<String, Object> describe() {
        return java.util.Map.of("state", state());
    }

    /** Stops discovery and releases the source's resources. Idempotent. */
    @Override
    void close();
}
