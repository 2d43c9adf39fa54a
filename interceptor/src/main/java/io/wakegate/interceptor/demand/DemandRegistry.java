package io.wakegate.interceptor.demand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interceptor's {@link DemandView}: one {@link DemandCounter} per route name. A counter
 * outlives reloads that keep its route; a removed route's counter stays until it has drained, so
 * its last report goes to zero rather than vanishing.
 */
public final class DemandRegistry implements DemandView {

    private static final Logger log = LoggerFactory.getLogger(DemandRegistry.class);

    private final ConcurrentHashMap<String, DemandCounter> counters = new ConcurrentHashMap<>();
    private final List<ActivationListener> listeners = new CopyOnWriteArrayList<>();

    /** The counter of {@code route}, created on first use. */
    public DemandCounter counter(String route) {
        return counters.computeIfAbsent(route, r -> new DemandCounter(r, () -> activated(r)));
    }

    /** Forgets a route whose counters are back at zero; returns whether it is gone. */
    public boolean remove(String route) {
        return counters.computeIfPresent(route, (r, c) -> c.held() == 0 && c.inFlight() == 0 ? null : c) == null;
    }

    @Override
    public List<RouteDemand> snapshot() {
        List<RouteDemand> out = new ArrayList<>(counters.size());
        for (DemandCounter c : counters.values()) {
            out.add(c.snapshot());
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
