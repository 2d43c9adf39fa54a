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
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Thread-safe, with no lock over the whole state:
 * <ul>
 *   <li>each route has its own small aggregate ({@link Route}: one series per interceptor
 *       and its bucket window) under its own lock, held for one route's update or one read;</li>
 *   <li>each interceptor's bookkeeping (its series by route, sequence, busy count) is under
 *       that interceptor's lock, held while one of its reports is applied route by route, so
 *       only that interceptor's next report and the sweep of that interceptor wait for it;</li>
 *   <li>{@code registry} guards the interceptor map and session binding (short);</li>
 *   <li>the live-interceptor count is a snapshot recomputed after every change and valid
 *       until the earliest moment one of the counted interceptors could expire.</li>
 * </ul>
 * Lock order: interceptor, then registry or a route. A read ({@link #stats}) takes only the
 * route's lock and costs O(interceptors reporting the route); a reader may see a report
 * half applied (some routes updated, others not yet), never a route half updated.
 * Listeners run with no lock held, on the thread that applied the report (a gRPC thread)
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
        private Interceptor interceptor; // guarded by registry
        private boolean closed; // guarded by registry

        private Session() {
        }

        /** The interceptor this session belongs to, or null before its first report. */
        public String interceptorId() {
            synchronized (registry) {
                return interceptor == null ? null : interceptor.id;
            }
        }
    }

    /** Live interceptors as of {@code computedAt}; exact while {@code now - computedAt <= validFor}. */
    private record LiveSnapshot(int count, long computedAt, long validFor) {
        boolean validAt(long now) {
            long age = now - computedAt;
            return age >= 0 && age <= validFor;
        }
    }

    private final Object registry = new Object();
    private final Object liveLock = new Object();
    private final Settings settings;
    private final LongSupplier ticker;
    private final ScalerMetrics metrics;
    private final long bucketWidthNanos;
    private final Map<String, Interceptor> interceptors = new ConcurrentHashMap<>();
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> firstReportListeners = new CopyOnWriteArrayList<>();
    private volatile boolean anyReport;
    private volatile LiveSnapshot live = new LiveSnapshot(0, 0, -1);

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
        synchronized (registry) {
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
        return anyReport;
    }

    public Session openSession() {
        return new Session();
    }

    /**
     * Applies one report received on {@code session}, route by route: readers of a route
     * wait at most for that route's update.
     *
     * @throws IllegalArgumentException if the report is malformed; the message names the
     *                                  field. The caller ends the stream.
     */
    public Outcome apply(Session session, DemandReport report) {
        long now = ticker.getAsLong();
        validate(report);
        Set<String> touched = new HashSet<>();
        for (;;) {
            Interceptor ic;
            synchronized (registry) {
                if (session.closed) {
                    return Outcome.STALE; // raced with the stream's end
                }
                ic = session.interceptor;
                if (ic == null) {
                    if (!report.getFullState()) {
                        throw new IllegalArgumentException("full_state: false (expected: true on "
                                + "the first report of a stream)");
                    }
                    ic = bind(session, report.getInterceptorId());
                } else if (!ic.id.equals(report.getInterceptorId())) {
                    throw new IllegalArgumentException("interceptor_id: " + report.getInterceptorId()
                            + " (expected: " + ic.id + ", as on the stream's first report)");
                } else if (ic.gone) {
                    // expired while its stream stayed open (it had demand and fell silent): it
                    // is back, so it counts again from this report on
                    ic = bind(session, ic.id);
                }
            }
            synchronized (ic) {
                if (ic.gone) {
                    continue; // expired by the sweep since it was bound: bind again
                }
                ic.lastActivityNanos = now;
                ic.intervalNanos = Duration.ofMillis(report.getIntervalMillis()).toNanos();
                if (ic.lastSequence != 0
                        && Long.compareUnsigned(report.getSequence(), ic.lastSequence) <= 0) {
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
                            removeSeries(e.getKey(), e.getValue(), touched);
                        }
                    }
                } else {
                    for (String gone : report.getRemovedRoutesList()) {
                        Series s = ic.series.remove(gone);
                        if (s != null) {
                            removeSeries(gone, s, touched);
                        }
                    }
                }
                for (RouteDemand rd : report.getRoutesList()) {
                    update(ic, rd, now);
                    touched.add(rd.getRoute());
                }
            }
            break;
        }
        boolean first = false;
        if (!anyReport) {
            synchronized (registry) {
                first = !anyReport;
                anyReport = true;
            }
        }
        metrics.liveInterceptors(refreshLive(now));
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

    /** Binds {@code session} to the current interceptor {@code id} (creating it); under registry. */
    private Interceptor bind(Session session, String id) {
        Interceptor ic = interceptors.computeIfAbsent(id, Interceptor::new);
        ic.openSessions++;
        session.interceptor = ic;
        return ic;
    }

    /** The stream of {@code session} ended; its interceptor's expiry clock starts now. */
    public void close(Session session) {
        long now = ticker.getAsLong();
        synchronized (registry) {
            if (session.closed) {
                return;
            }
            session.closed = true;
            Interceptor ic = session.interceptor;
            if (ic == null) {
                return;
            }
            ic.openSessions--;
            ic.lastActivityNanos = now;
        }
        metrics.liveInterceptors(refreshLive(now));
    }

    /**
     * Drops expired interceptors and forgotten routes, then tells listeners which routes
     * changed. Called periodically by the server.
     */
    public void sweep() {
        long now = ticker.getAsLong();
        Set<String> touched = new HashSet<>();
        for (Interceptor ic : interceptors.values()) {
            if (!expired(ic, now)) {
                continue; // checked without its lock first: a report being applied is not waited for
            }
            synchronized (ic) {
                synchronized (registry) {
                    if (ic.gone || !expired(ic, now)) {
                        continue;
                    }
                    ic.gone = true;
                    interceptors.remove(ic.id, ic);
                }
                metrics.expired();
                for (Map.Entry<String, Series> e : ic.series.entrySet()) {
                    removeSeries(e.getKey(), e.getValue(), touched);
                }
                ic.series.clear();
            }
        }
        long keep = settings.maxWindow().toNanos();
        for (Route r : routes.values()) {
            synchronized (r) {
                if (r.series.isEmpty() && (r.window == null || r.window.emptySince(now, keep))) {
                    r.removed = true;
                    routes.remove(r.name, r);
                }
            }
        }
        metrics.liveInterceptors(refreshLive(now));
        notifyListeners(touched, now);
    }

    /** Aggregated demand of {@code route} over the last {@code window}. */
    public RouteStats stats(String route, Duration window) {
        long now = ticker.getAsLong();
        int liveCount = liveCount(now);
        Route r = routes.get(route);
        if (r == null) {
            return new RouteStats(false, liveCount, 0, 0, 0, 0);
        }
        boolean known = false;
        int held = 0;
        int inFlight = 0;
        long[] sum = null;
        long firstSeen;
        synchronized (r) {
            if (r.removed) {
                return new RouteStats(false, liveCount, 0, 0, 0, 0);
            }
            for (Series s : r.series.values()) {
                if (!expired(s.owner, now)) {
                    known = true;
                    held += s.held;
                    inFlight += s.inFlight;
                }
            }
            if (r.window != null) {
                sum = r.window.sum(now, window.toNanos());
            }
            firstSeen = r.firstSeenNanos;
        }
        double avg = 0;
        double rate = 0;
        if (sum != null) {
            long span = Math.min(sum[2], now - firstSeen);
            span = Math.max(span, Math.min(bucketWidthNanos, 1_000_000_000L));
            avg = (double) sum[1] / span;
            rate = sum[0] * 1e9 / span;
        }
        return new RouteStats(known, liveCount, held, inFlight, avg, rate);
    }

    /** Live interceptors now. */
    public int liveInterceptors() {
        return liveCount(ticker.getAsLong());
    }

    /** Updates {@code ic}'s series of one route; under {@code ic}'s lock. */
    private void update(Interceptor ic, RouteDemand rd, long now) {
        String name = rd.getRoute();
        for (;;) {
            Route route = routes.get(name);
            if (route == null) {
                route = routes.computeIfAbsent(name, n -> new Route(n, now));
            }
            int busyDelta;
            synchronized (route) {
                if (route.removed) {
                    continue; // dropped by the sweep meanwhile: use its successor
                }
                Series s = ic.series.get(name);
                if (s == null || route.series.get(ic.id) != s) {
                    // new, or its route was forgotten and recreated: a new baseline
                    if (s != null && s.busy()) {
                        ic.busySeries--;
                    }
                    s = new Series(ic);
                    ic.series.put(name, s);
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
                busyDelta = s.busy() ? -1 : 0;
                s.held = rd.getHeld();
                s.inFlight = rd.getInFlight();
                s.requestCount = rd.getRequestCount();
                s.concurrencyNanos = rd.getConcurrencyNanos();
                if (s.busy()) {
                    busyDelta++;
                }
            }
            if (busyDelta != 0) {
                ic.busySeries += busyDelta;
            }
            return;
        }
    }

    /** Drops one series of its interceptor; under the interceptor's lock. */
    private void removeSeries(String routeName, Series s, Set<String> touched) {
        Route route = routes.get(routeName);
        if (route != null) {
            synchronized (route) {
                // remove(key, value): a successor interceptor of the same id may own the slot now
                route.series.remove(s.owner.id, s);
            }
        }
        if (s.busy()) {
            s.owner.busySeries--;
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

    /** Live interceptors at {@code now}: the snapshot while it is valid, else a recount. */
    private int liveCount(long now) {
        LiveSnapshot snapshot = live;
        return snapshot.validAt(now) ? snapshot.count() : refreshLive(now);
    }

    /**
     * Recounts live interceptors and publishes the count with how long it stays exact (until
     * the first counted interceptor could expire). Called after every change to interceptor
     * state, so the last snapshot published always saw the last change.
     */
    private int refreshLive(long now) {
        synchronized (liveLock) {
            int n = 0;
            long validFor = Long.MAX_VALUE;
            for (Interceptor ic : interceptors.values()) {
                if (expired(ic, now)) {
                    continue;
                }
                n++;
                if (ic.openSessions > 0 && ic.busySeries == 0) {
                    continue; // cannot expire before its state changes, which refreshes again
                }
                long left = settings.expiryIntervals() * ic.intervalNanos - (now - ic.lastActivityNanos);
                validFor = Math.min(validFor, left);
            }
            live = new LiveSnapshot(n, now, validFor);
            return n;
        }
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

    /**
     * One interceptor's bookkeeping. {@code series} and {@code lastSequence} are guarded by the
     * interceptor's own lock; {@code openSessions} and {@code gone} change under
     * {@code registry} ({@code gone} also under the interceptor's lock); the rest changes under
     * the interceptor's lock. Fields that readers check for expiry are volatile.
     */
    private static final class Interceptor {
        final String id;
        final Map<String, Series> series = new HashMap<>();
        long lastSequence;
        volatile long intervalNanos = Duration.ofMillis(250).toNanos();
        volatile long lastActivityNanos;
        volatile int openSessions;
        volatile int busySeries;
        volatile boolean gone;

        Interceptor(String id) {
            this.id = id;
        }
    }

    /** One route's aggregate; every field is guarded by the route's own lock. */
    private static final class Route {
        final String name;
        final long firstSeenNanos;
        final Map<String, Series> series = new HashMap<>();
        BucketWindow window;
        boolean removed;

        Route(String name, long firstSeenNanos) {
            this.name = name;
            this.firstSeenNanos = firstSeenNanos;
        }
    }

    /** One interceptor's latest figures for one route; guarded by the route's lock. */
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
