package io.wakegate.interceptor.demand.report;

import io.wakegate.interceptor.demand.DemandView;
import io.wakegate.interceptor.demand.RouteDemand;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hand-driven {@link DemandView}: tests begin and end requests; the concurrency integral
 * grows with {@link System#nanoTime()} like the real accounting's. Activation listeners run
 * on the caller's thread, as they would on an event loop.
 */
final class TestDemandView implements DemandView {

    private final Map<String, Counters> routes = new LinkedHashMap<>();
    private final List<ActivationListener> listeners = new CopyOnWriteArrayList<>();

    TestDemandView(String... routeNames) {
        for (String r : routeNames) {
            routes.put(r, new Counters());
        }
    }

    /** A request arrives: held when {@code held}, else straight in flight. */
    void begin(String route, boolean held) {
        boolean activated;
        synchronized (this) {
            Counters c = routes.computeIfAbsent(route, r -> new Counters());
            c.advance();
            activated = c.held + c.inFlight == 0;
            c.requests++;
            if (held) {
                c.held++;
            } else {
                c.inFlight++;
            }
        }
        if (activated) {
            listeners.forEach(l -> l.activated(route));
        }
    }

    /** A held or in-flight request ends. */
    synchronized void end(String route) {
        Counters c = routes.get(route);
        c.advance();
        if (c.held > 0) {
            c.held--;
        } else {
            c.inFlight--;
        }
    }

    @Override
    public synchronized List<RouteDemand> snapshot() {
        List<RouteDemand> out = new ArrayList<>();
        routes.forEach((name, c) -> {
            c.advance();
            out.add(new RouteDemand(name, c.held, c.inFlight, c.requests, c.integral, c.at));
        });
        return out;
    }

    @Override
    public void addActivationListener(ActivationListener listener) {
        listeners.add(listener);
    }

    private static final class Counters {
        int held;
        int inFlight;
        long requests;
        long integral;
        long at = System.nanoTime();

        void advance() {
            long now = System.nanoTime();
            integral += (held + inFlight) * (now - at);
            at = now;
        }
    }
}
