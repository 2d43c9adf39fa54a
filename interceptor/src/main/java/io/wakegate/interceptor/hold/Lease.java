package io.wakegate.interceptor.hold;

import io.wakegate.interceptor.backend.Endpoint;

/**
 * One admitted request's slot on one endpoint: counted as in flight on its route and as
 * outstanding on the endpoint until released.
 *
 * <p>Thread-safe. {@link #release} returns the slot exactly once however many times, and from
 * however many places, it is called; {@link #trade} ends this lease too, so a slot is never
 * returned twice nor kept.
 */
public interface Lease {

    Endpoint endpoint();

    /** Gives the slot back; the request has ended. Idempotent. */
    void release();

    /**
     * How many requests the lease stands for now, 1 when admitted: on a multiplexed connection
     * (h2c, gRPC), its active streams — 0 while it has none, so an idle connection is no demand
     * and no load on the endpoint. Called on the request's loop; ignored once released.
     */
    void requests(int count);

    /**
     * Connecting to {@link #endpoint} failed before any byte was sent: the endpoint is not ready
     * and leaves the gate's ready set (until its source, told now, reports it again). Ends this
     * lease and returns a lease on another ready endpoint with spare capacity, or null when there
     * is none or the request has tried enough endpoints — then the slot is returned and the
     * request may take a new {@link Ticket}. Must be called at most once, before {@link #release}.
     */
    Lease trade();
}
