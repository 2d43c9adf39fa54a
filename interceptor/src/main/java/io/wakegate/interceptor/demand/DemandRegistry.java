package io.wakegate.interceptor.demand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interceptor's {@link DemandView}: one {@link DemandCounter} per route name. A counter
 * outlives reloads that keep its route; a removed ({@link #retire retired}) route's counter stays
 * until it has drained, so its last report goes to zero rather than vanishing, and leaves once it
 * has been at zero for {@link #RETIRED_GRACE} — not at the next reload. The grace is time, not a
 * count of snapshots: several readers take snapshots (a report stream to every scaler replica,
 * the admin endpoint, the shutdown drain), and each stream must get to send the zero.
 */
public final class DemandRegistry implements DemandView {

    private static final Logger log = LoggerFactory.getLogger(DemandRegistry.class);

    private final ConcurrentHashMap<String, DemandCounter> counters = new ConcurrentHashMap<>();
    private final List<ActivationListener> listeners = new CopyOnWriteArrayList<>();
    /** How long a removed, drained route is still reported at zero: many report intervals. */
    static final long RETIRED_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    /** Removed routes, with the time their counter was first seen drained (0: not yet). */
    private final ConcurrentHashMap<String, Long> retired = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    public DemandRegistry() {
        this(System::nanoTime);
    }

    /** With the clock the grace of removed routes is measured on. */
    DemandRegistry(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The counter of {@code route}, created on first use; a retired route added back is live again. */
    public DemandCounter counter(String route) {
        retired.remove(route);
        return counters.computeIfAbsent(route, r -> new DemandCounter(r, () -> activated(r)));
    }

    /** The route was removed: its counter goes once a snapshot has shown it drained. */
    public void retire(String route) {
        retired.put(route, 0L);
    }

    @Override
    public List<RouteDemand> snapshot() {
        List<RouteDemand> out = new ArrayList<>(counters.size());
        for (Map.Entry<String, DemandCounter> e : counters.entrySet()) {
            RouteDemand d = e.getValue().snapshot();
            out.add(d);
            // Reported at zero for the grace, then forgotten; a route added back meanwhile left the map first.
            Long drainedSince = retired.get(e.getKey());
            if (drainedSince != null && d.held() == 0 && d.inFlight() == 0) {
                long now = nanoTime.getAsLong();
                if (drainedSince == 0) {
                    retired.replace(e.getKey(), 0L, now == 0 ? 1 : now);
                } else if (now - drainedSince >= RETIRED_GRACE_NANOS && retired.remove(e.getKey(), drainedSince)) {
                    counters.remove(e.getKey(), e.getValue());
                }
            }
        }
        return out;
    }

    @Override
    public void addActivationListener(ActivationListener listener) {
        listeners.add(listener);
    }

    private void activated(String route) {
        for (ActivationListener l : listeners) {
            try {
                l.activated(route);
            } catch (RuntimeException e) {
                log.warn("activation listener failed for route {}", route, e);
            }
        }
    }
}
