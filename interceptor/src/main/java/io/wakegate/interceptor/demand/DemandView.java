package io.wakegate.interceptor.demand;

import java.util.List;

/**
 * Read side of demand accounting: what the scaler reporter streams and the admin
 * endpoints show.
 *
 * <p>Thread-safe. {@link #snapshot()} may be called from any thread and never blocks the
 * request path. Listeners registered with {@link #addActivationListener} are called on the
 * thread of the request that caused the activation — usually a Netty event loop — so they
 * must return quickly and never block (hand work to another executor).
 */
public interface DemandView {

    /** The current counters of every route known to the interceptor. */
    List<RouteDemand> snapshot();

    /**
     * Registers a listener told when a route goes from no demand (nothing held, nothing in
     * flight) to some. Used to push activation to the scaler without waiting for the next
     * reporting interval.
     */
    void addActivationListener(ActivationListener listener);

    /** Told when a route goes from zero to non-zero demand. */
    @FunctionalInterface
    interface ActivationListener {
        /** Called on the request's thread; must not block. */
        void activated(String route);
    }
}
