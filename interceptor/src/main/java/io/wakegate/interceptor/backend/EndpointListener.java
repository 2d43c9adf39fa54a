package io.wakegate.interceptor.backend;

import java.util.List;

/**
 * Receives what an {@link EndpointSource} learns. Implemented by the route's gate; every method
 * is thread-safe and quick, and may be called from any of the source's threads.
 */
public interface EndpointListener {

    /** The complete list of ready endpoints now (empty: the backend is cold or down). */
    void endpointsChanged(List<Endpoint> ready);

    /**
     * The backend cannot become ready for the requests waiting now (a process exited before it
     * was ready, missed its start timeout, or is in its restart back-off): fail them at once, each
     * with the failure's own reason, instead of letting them wait for the cold-start timeout.
     */
    void startFailed(StartFailure failure);

    /** Whether requests are waiting for an endpoint: sources probe more eagerly while they are. */
    boolean hasWaiters();

    /**
     * Requests admitted to an endpoint and not finished. A source that stops its backend stops
     * only at zero, and checks again after withdrawing its endpoints (admission and withdrawal
     * are ordered by the gate, so a zero seen after withdrawal stays zero).
     */
    int inFlight();
}
