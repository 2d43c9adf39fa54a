package io.wakegate.interceptor.hold;

import io.wakegate.interceptor.http.Reason;

/**
 * One request's place at a route's gate, from {@link RouteGate#admit}: {@code WAITING}, then
 * exactly one of {@code ADMITTED}, {@code REJECTED}, {@code TIMED_OUT} or {@code CANCELLED}.
 *
 * <p>The ticket owns the cold-start timer, the race between a {@link #cancel} and an admission
 * already on its way (an admission that arrives after a cancel has its lease released at once),
 * and the held-time metric.
 *
 * <p>Threading: confined to the event loop given to {@link RouteGate#admit}. {@link Holder}
 * callbacks run on that loop, never under the gate's lock, at most once per ticket, and never
 * after {@link #cancel}.
 */
public interface Ticket {

    enum State { WAITING, ADMITTED, REJECTED, TIMED_OUT, CANCELLED }

    /** The request that holds the ticket. Called on the ticket's event loop, at most once. */
    interface Holder {
        /** Admitted: the holder owns {@code lease} and must {@link Lease#release release} it. */
        void admitted(Lease lease);

        /**
         * Not admitted: rejected (queue full, route removed, shutting down, start failed) or timed
         * out ({@link Reason#COLD_START_TIMEOUT}). Nothing to give back.
         */
        void rejected(Reason reason);
    }

    State state();

    /** Whether the request waited in the queue (a cold start, or a wait for a slot). */
    boolean waited();

    /** The client is gone: withdraws a waiting ticket. Does nothing once it is decided. Idempotent. */
    void cancel();
}
