package io.wakegate.interceptor.demand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interceptor's {@link DemandView}: one {@link DemandCounter} per route name. A counter
 * outlives reloads that keep its route; a removed ({@link #retire retired}) route's counter stays
 * until it has drained, so its last report goes to zero rather than vanishing, and leaves with
 * the first snapshot that shows it at zero — not at the next reload.
 */
public final class DemandRegistry implements DemandView {

    private static final Logger log = LoggerFactory.getLogger(DemandRegistry.class);

    private final ConcurrentHashMap<String, DemandCounter> counters = new ConcurrentHashMap<>();
    private final List<ActivationListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<String> retired = ConcurrentHashMap.newKeySet();

    /** The counter of {@code route}, created on first use; a retired route added back is live again. */
    public DemandCounter counter(String route) {
        retired.remove(route);
        return counters.computeIfAbsent(route, r -> new DemandCounter(r, () -> activated(r)));
    }

    /** The route was removed: its counter goes once a snapshot has shown it drained. */
    public void retire(String route) {
        retired.add(route);
    }

    @Override
    public List<RouteDemand> snapshot() {
        List<RouteDemand> out = new ArrayList<>(counters.size());
        for (Map.Entry<String, DemandCounter> e : counters.entrySet()) {
            RouteDemand d = e.getValue().snapshot();
            out.add(d);
            // Reported at zero once more, then forgotten; a route added back meanwhile left the set first.
            if (d.held() == 0 && d.inFlight() == 0 && retired.remove(e.getKey())) {
                counters.remove(e.getKey(), e.getValue());
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
