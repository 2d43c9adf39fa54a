package io.wakegate.scaler.aggregate;

import io.wakegate.proto.demand.DemandReport;
import io.wakegate.proto.demand.RouteDemand;
import io.wakegate.scaler.metrics.ScalerMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The scaler's view of demand: for every interceptor its latest report, and per route the
 * sum over live interceptors plus time buckets of request and concurrency increments.
 *
 * <p>Counters in reports are cumulative (see {@code demand.proto}); the aggregator adds the
 * difference between two consecutive reports of the same interceptor to the route's
 * bucket for the time the later one arrived. The first report of an interceptor is only a
 * baseline.
 *
 * <p>An interceptor is live while it has an open session and no unreported demand, or
 * until {@code expiryIntervals} of its promised intervals have passed since its last
 * report or since its last session closed. An interceptor whose last report had demand
 * and that stays silent that long expires even with an open session.
 *
 * <p>Thread-safe: one lock guards all state, held only for map updates and sums. Listeners
 * run after the lock is released, on the thread that applied the report (a gRPC thread)
 * or that called {@link #sweep()}; they must not block.
 */
public final class DemandAggregator {

    /** Interval a report may promise at most; anything longer is a malformed report. */
    static final long MAX_INTERVAL_MILLIS = Duration.ofMinutes(10).toMillis();
    static final int MAX_ID_LENGTH = 253;
    private static final int BUCKETS = 60;

    /**
     * @param expiryIntervals missed intervals after which a silent interceptor expires (>= 1)
     * @param maxWindow       the longest window a trigger may ask for; bucket width is
     *                        {@code maxWindow / 60}, at least 100 ms
     */
    public record Settings(int expiryIntervals, Duration maxWindow) {
        public static final int DEFAULT_EXPIRY_INTERVALS = 8;
        public static final Duration DEFAULT_MAX_WINDOW = Duration.ofMinutes(10);

        public Settings {
            if (expiryIntervals < 1) {
                throw new IllegalArgumentException(
                        "expiryIntervals: " + expiryIntervals + " (expected: >= 1)");
            }
            Objects.requireNonNull(maxWindow, "maxWindow");
            if (maxWindow.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException(
                        "maxWindow: " + maxWindow + " (expected: >= 1s)");
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_EXPIRY_INTERVALS, DEFAULT_MAX_WINDOW);
        }

        long bucketWidthNanos() {
            return Math.max(Duration.ofMillis(100).toNanos(), maxWindow.toNanos() / BUCKETS);
        }
    }

    /** Told which routes a report or an expiry touched. */
    @FunctionalInterface
    public interface ChangeListener {
        /**
         * @param routes          routes whose sums may have changed
         * @param receivedAtNanos ticker time at which the report arrived (or the sweep ran)
         */
        void changed(Set<String> routes, long receivedAtNanos);
    }

    /** Whether a report was taken or ignored as out of date. */
    public enum Outcome { ACCEPTED, STALE }

    /** One demand stream from one interceptor; bound to the interceptor by its first report. */
    public final class Session {
        private Interceptor interceptor;
        private boolean closed;

        private Session() {
        }

        /** The interceptor this session belongs to, or null before its first report. */
        public String interceptorId() {
            synchronized (lock) {
                return interceptor == null ? null : interceptor.id;
            }
        }
    }

    private final Object lock = new Object();
    private final Settings settings;
    private final LongSupplier ticker;
    private final ScalerMetrics metrics;
    private final long bucketWidthNanos;
    private final Map<String, Interceptor> interceptors = new HashMap<>();
    private final Map<String, Route> routes = new HashMap<>();
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> firstReportListeners = new CopyOnWriteArrayList<>();
    private boolean anyReport;

    public DemandAggregator(Settings settings, LongSupplier ticker, ScalerMetrics metrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.bucketWidthNanos = settings.bucketWidthNanos();
    }

    public Settings settings() {
        return settings;
    }

    /** The aggregator's clock; the same one listeners' timestamps come from. */
    public long nanoTime() {
        return ticker.getAsLong();
    }

    public void addChangeListener(ChangeListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** Runs {@code listener} once, when the first report is accepted (at once if it was). */
    public void onFirstReport(Runnable listener) {
        boolean runNow;
        synchronized (lock) {
            runNow = anyReport;
            if (!runNow) {
                firstReportListeners.add(listener);
            }
        }
        if (runNow) {
            listener.run();
        }
    }

    /** Whether any report was ever accepted. */
    public boolean anyReport() {
        synchronized (lock) {
            return anyReport;
        }
    }

    public Session openSession() {
        return new Session();
    }

    /**
     * Applies one report received on {@code session}.
     *
     * @throws IllegalArgumentException if the report is malformed; the message names the
     *                                  field. The caller ends the stream.
     */
    public Outcome apply(Session session, DemandReport report) {
        long now = ticker.getAsLong();
        validate(report);
        Set<String> touched = new HashSet<>();
        boolean first;
        synchronized (lock) {
            if (session.closed) {
                return Outcome.STALE; // raced with the stream's end
            }
            Interceptor ic = session.interceptor;
            if (ic == null) {
                if (!report.getFullState()) {
                    throw new IllegalArgumentException("full_state: false (expected: true on "
                            + "the first report of a stream)");
                }
                ic = interceptors.computeIfAbsent(report.getInterceptorId(), Interceptor::new);
                ic.openSessions++;
                session.interceptor = ic;
            } else if (!ic.id.equals(report.getInterceptorId())) {
                throw new IllegalArgumentException("interceptor_id: " + report.getInterceptorId()
                        + " (expected: " + ic.id + ", as on the stream's first report)");
            } else if (ic.gone) {
                // expired while its stream stayed open (it had demand and fell silent): it is
                // back, so it counts again from this report on
                ic = interceptors.computeIfAbsent(ic.id, Interceptor::new);
                ic.openSessions++;
                session.interceptor = ic;
            }
            ic.lastActivityNanos = now;
            ic.intervalNanos = Duration.ofMillis(report.getIntervalMillis()).toNanos();
            if (ic.lastSequence != 0 && Long.compareUnsigned(report.getSequence(), ic.lastSequence) <= 0) {
                metrics.reportStale();
                return Outcome.STALE;
            }
            ic.lastSequence = report.getSequence();
            if (report.getFullState()) {
                Set<String> listed = new HashSet<>();
                for (RouteDemand rd : report.getRoutesList()) {
                    listed.add(rd.getRoute());
                }
                for (Iterator<Map.Entry<String, Series>> it = ic.series.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<String, Series> e = it.next();
                    if (!listed.contains(e.getKey())) {
                        it.remove();
                        removeSeries(e.getKey(), ic, touched);
                    }
                }
            } else {
                for (String gone : report.getRemovedRoutesList()) {
                    if (ic.series.remove(gone) != null) {
                        removeSeries(gone, ic, touched);
                    }
                }
            }
            for (RouteDemand rd : report.getRoutesList()) {
                update(ic, rd, now);
                touched.add(rd.getRoute());
            }
            first = !anyReport;
            anyReport = true;
            metrics.liveInterceptors(liveCount(now));
        }
        metrics.reportAccepted();
        if (first) {
            for (Runnable r : firstReportListeners) {
                r.run();
            }
            firstReportListeners.clear();
        }
        notifyListeners(touched, now);
        return Outcome.ACCEPTED;
    }

    /** The stream of {@code session} ended; its interceptor's expiry clock starts now. */
    public void close(Session session) {
        synchronized (lock) {
            if (session.closed) {
                return;
            }
            session.closed = true;
            Interceptor ic = session.interceptor;
            if (ic != null) {
                ic.openSessions--;
                ic.lastActivityNanos = ticker.getAsLong();
            }
        }
    }

    /**
     * Drops expired interceptors and forgotten routes, then tells listeners which routes
     * changed. Called periodically by the server.
     */
    public void sweep() {
        long now = ticker.getAsLong();
        Set<String> touched = new HashSet<>();
        synchronized (lock) {
            for (Iterator<Interceptor> it = interceptors.values().iterator(); it.hasNext(); ) {
                Interceptor ic = it.next();
                if (expired(ic, now)) {
                    it.remove();
                    ic.gone = true;
                    metrics.expired();
                    for (String route : ic.series.keySet()) {
                        removeSeries(route, ic, touched);
                    }
                    ic.series.clear();
                }
            }
            long keep = settings.maxWindow().toNanos();
            routes.values().removeIf(r -> r.series.isEmpty()
                    && (r.window == null || r.window.emptySince(now, keep)));
            metrics.liveInterceptors(liveCount(now));
        }
        notifyListeners(touched, now);
    }

    /** Aggregated demand of {@code route} over the last {@code window}. */
    public RouteStats stats(String route, Duration window) {
        long now = ticker.getAsLong();
        synchronized (lock) {
            int live = liveCount(now);
            Route r = routes.get(route);
            if (r == null) {
                return new RouteStats(false, live, 0, 0, 0, 0);
            }
            boolean known = false;
            int held = 0;
            int inFlight = 0;
            for (Series s : r.series.values()) {
                if (!expired(s.owner, now)) {
                    known = true;
                    held += s.held;
                    inFlight += s.inFlight;
                }
            }
            double avg = 0;
            double rate = 0;
            if (r.window != null) {
                long[] sum = r.window.sum(now, window.toNanos());
                long span = Math.min(sum[2], now - r.firstSeenNanos);
                span = Math.max(span, Math.min(bucketWidthNanos, 1_000_000_000L));
                avg = (double) sum[1] / span;
                rate = sum[0] * 1e9 / span;
            }
            return new RouteStats(known, live, held, inFlight, avg, rate);
        }
    }

    /** Live interceptors now. */
    public int liveInterceptors() {
        long now = ticker.getAsLong();
        synchronized (lock) {
            return liveCount(now);
        }
    }

    private void update(Interceptor ic, RouteDemand rd, long now) {
        Route route = routes.computeIfAbsent(rd.getRoute(), name -> new Route(now));
        Series s = ic.series.get(rd.getRoute());
        if (s == null) {
            s = new Series(ic);
            ic.series.put(rd.getRoute(), s);
            route.series.put(ic.id, s);
        } else {
            long requests = rd.getRequestCount() - s.requestCount;
            long concurrency = rd.getConcurrencyNanos() - s.concurrencyNanos; // wrap-safe
            if (requests < 0) {
                requests = 0; // counter went back: a new baseline, not negative demand
            }
            if (concurrency < 0) {
                concurrency = 0;
            }
            if (requests != 0 || concurrency != 0) {
                if (route.window == null) {
                    route.window = new BucketWindow(bucketWidthNanos, BUCKETS + 2);
                }
                route.window.add(now, requests, concurrency);
            }
        }
        if (s.busy()) {
            ic.busySeries--;
        }
        s.held = rd.getHeld();
        s.inFlight = rd.getInFlight();
        s.requestCount = rd.getRequestCount();
        s.concurrencyNanos = rd.getConcurrencyNanos();
        if (s.busy()) {
            ic.busySeries++;
        }
    }

    private void removeSeries(String routeName, Interceptor ic, Set<String> touched) {
        Route route = routes.get(routeName);
        if (route != null) {
            Series s = route.series.remove(ic.id);
            if (s != null && s.busy()) {
                ic.busySeries--;
            }
        }
        touched.add(routeName);
    }

    private boolean expired(Interceptor ic, long now) {
        if (ic.gone) {
            return true;
        }
        if (ic.openSessions > 0 && ic.busySeries == 0) {
            return false;
        }
        return now - ic.lastActivityNanos > settings.expiryIntervals() * ic.intervalNanos;
    }

    private int liveCount(long now) {
        int n = 0;
        for (Interceptor ic : interceptors.values()) {
            if (!expired(ic, now)) {
                n++;
            }
        }
        return n;
    }

    private void notifyListeners(Set<String> touched, long now) {
        if (touched.isEmpty()) {
            return;
        }
        Set<String> routesView = java.util.Collections.unmodifiableSet(touched);
        for (ChangeListener l : listeners) {
            l.changed(routesView, now);
        }
    }

    private static void validate(DemandReport report) {
        String id = report.getInterceptorId();
        if (id.isBlank() || id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("interceptor_id: '" + id
                    + "' (expected: 1.." + MAX_ID_LENGTH + " characters)");
        }
        if (report.getSequence() == 0) {
            throw new IllegalArgumentException("sequence: 0 (expected: >= 1)");
        }
        long interval = Integer.toUnsignedLong(report.getIntervalMillis());
        if (interval == 0 || interval > MAX_INTERVAL_MILLIS) {
            throw new IllegalArgumentException("interval_millis: " + interval
                    + " (expected: 1.." + MAX_INTERVAL_MILLIS + ")");
        }
        Set<String> seen = new HashSet<>();
        List<String> dup = new ArrayList<>();
        for (RouteDemand rd : report.getRoutesList()) {
            if (rd.getRoute().isEmpty()) {
                throw new IllegalArgumentException("routes.route: '' (expected: a route name)");
            }
            if (rd.getHeld() < 0 || rd.getInFlight() < 0) {
                throw new IllegalArgumentException("routes.held/in_flight of " + rd.getRoute()
                        + ": beyond 2^31 (expected: a plausible count)");
            }
            if (!seen.add(rd.getRoute())) {
                dup.add(rd.getRoute());
            }
        }
        if (!dup.isEmpty()) {
            throw new IllegalArgumentException("routes.route: " + dup + " listed twice "
                    + "(expected: at most one entry per route)");
        }
    }

    private static final class Interceptor {
        final String id;
        final Map<String, Series> series = new HashMap<>();
        long lastSequence;
        long intervalNanos = Duration.ofMillis(250).toNanos();
        long lastActivityNanos;
        int openSessions;
        int busySeries;
        boolean gone;

        Interceptor(String id) {
            this.id = id;
        }
    }

    private static final class Route {
        final long firstSeenNanos;
        final Map<String, Series> series = new HashMap<>();
        BucketWindow window;

        Route(long firstSeenNanos) {
            this.firstSeenNanos = firstSeenNanos;
        }
    }

    private static final class Series {
        final Interceptor owner;
        int held;
        int inFlight;
        long requestCount;
        long concurrencyNanos;

        Series(Interceptor owner) {
            this.owner = owner;
        }

        boolean busy() {
            return held > 0 || inFlight > 0;
        }
    }
}
