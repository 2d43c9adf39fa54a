package io.wakegate.interceptor.hold;

import io.netty.util.concurrent.EventExecutor;
import io.wakegate.interceptor.backend.Endpoint;
import io.wakegate.interceptor.backend.EndpointListener;
import io.wakegate.interceptor.backend.EndpointSource;
import io.wakegate.interceptor.backend.StartFailure;
import io.wakegate.interceptor.demand.DemandCounter;
import io.wakegate.interceptor.http.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission for one route: who may go to which endpoint, and who waits.
 *
 * <p>A request is admitted at once when nobody is waiting and a ready endpoint has spare
 * capacity (fewer outstanding requests than {@code maxConcurrencyPerEndpoint}, when set); the
 * least-loaded such endpoint is chosen. Otherwise it is held in a FIFO queue bounded per route
 * and across routes ({@link HoldLimit}). Held requests are released in arrival order the moment
 * an endpoint has capacity: when the source reports ready endpoints or when an admitted request
 * finishes. Nothing polls.
 *
 * <p>Each request gets a {@link Ticket} ({@link #admit}); an admitted one gets a {@link Lease}
 * on one endpoint. The gate only decides; the ticket carries the decision to the request's loop.
 *
 * <p>A route that nothing can wake ({@link #wakeable wakeable} false) holds a request only for a
 * slot on a ready endpoint: with no endpoint ready it is rejected {@link Reason#NOT_WAKEABLE} at
 * once, and so are the requests it holds when the last endpoint goes.
 *
 * <p>Thread-safe: every method may be called from any thread except {@link #admit}, which runs on
 * the request's loop. State changes under the gate's monitor, in short sections that never
 * block; decisions are delivered, the source woken and demand activation signalled only after
 * the monitor is released.
 */
public final class RouteGate implements EndpointListener {

    /** Retry-After of a {@link Reason#NOT_WAKEABLE} answer: until someone fixes what prevents the wake. */
    static final long NOT_WAKEABLE_RETRY_AFTER_SECONDS = 10;

    private static final Logger log = LoggerFactory.getLogger(RouteGate.class);

    private final String route;
    private final DemandCounter demand;
    private final HoldLimit holdLimit;
    private final LongConsumer coldStartRecorder;
    private final LongConsumer heldRecorder;
    private final LinkedHashSet<GateTicket> waiting = new LinkedHashSet<>();
    private final ColdStarts coldStarts = new ColdStarts();
    private volatile EndpointSource source;
    private List<Endpoint> ready = List.of();
    private int maxPending;
    private int maxPerEndpoint;
    private boolean wakeable = true;
    private long coldStartSince;
    /** When a backend in its restart back-off is tried again (System.nanoTime), for Retry-After. */
    private volatile long retryAt;
    /** Why the gate refuses requests (shutdown, route removed), or null while open. */
    private Reason closedReason;

    /**
     * @param coldStartRecorder told the duration (nanos) of each cold start: from the first request
     *                          held with nothing ready until an endpoint became ready
     * @param heldRecorder      told how long (nanos) each held request waited
     */
    public RouteGate(String route, DemandCounter demand, HoldLimit holdLimit, int maxPending,
                     int maxPerEndpoint, LongConsumer coldStartRecorder, LongConsumer heldRecorder) {
        this.route = route;
        this.demand = demand;
        this.holdLimit = holdLimit;
        this.coldStartRecorder = coldStartRecorder;
        this.heldRecorder = heldRecorder;
        updateLimits(maxPending, maxPerEndpoint);
    }

    public String route() {
        return route;
    }

    /** Connects the source that wakes this route's backend; set before the first request. */
    public void source(EndpointSource source) {
        this.source = source;
    }

    /** New limits from a reload; a higher endpoint cap releases waiters at once. */
    public void updateLimits(int maxPending, int maxPerEndpoint) {
        if (maxPending < 1 || maxPerEndpoint < 0) {
            throw new IllegalArgumentException("maxPending: " + maxPending + ", maxPerEndpoint: "
                    + maxPerEndpoint + " (expected: >= 1 and >= 0)");
        }
        List<GateTicket> decided = new ArrayList<>(0);
        synchronized (this) {
            this.maxPending = maxPending;
            this.maxPerEndpoint = maxPerEndpoint;
            dispatch(decided);
        }
        deliver(decided);
    }

    /**
     * Whether anything can wake this route's backend from zero (from the route table). Turning
     * false with no endpoint ready fails the held requests {@link Reason#NOT_WAKEABLE}.
     */
    public void wakeable(boolean wakeable) {
        List<GateTicket> decided = new ArrayList<>(0);
        synchronized (this) {
            if (wakeable != this.wakeable) {
                log.info(wakeable ? "route {}: wakeable again; requests wait for a cold start as usual"
                        : "route {}: nothing can wake its backend; without a ready endpoint requests are answered "
                        + "503 not-wakeable", route);
            }
            this.wakeable = wakeable;
            failIfNothingWakes(decided);
        }
        deliver(decided);
    }

    /**
     * For a gate whose backend nothing wakes by design (a failover backend): as
     * {@code wakeable(false)} before the first request, without telling the log it is a problem.
     */
    synchronized void neverWake() {
        wakeable = false;
    }

    /**
     * Asks to forward one request; called on {@code loop}. The ticket is admitted at once, rejected
     * at once, or waits — at most {@code coldStartTimeout} — for a slot; {@code holder} hears the
     * outcome on {@code loop} (an immediate one before this method returns).
     */
    public Ticket admit(EventExecutor loop, Duration coldStartTimeout, Ticket.Holder holder) {
        GateTicket ticket = null; // only a request that waits has a ticket of its own
        GateLease lease = null;
        Reason rejected = null;
        boolean cold = false;
        boolean activated = false;
        synchronized (this) {
            Endpoint e = closedReason == null && waiting.isEmpty() ? pick(null) : null;
            if (closedReason != null) {
                rejected = closedReason;
            } else if (e != null) {
                e.addOutstanding(1);
                activated = demand.admitted();
                lease = new GateLease(this, e, 1);
            } else if (!wakeable && ready.isEmpty()) {
                rejected = Reason.NOT_WAKEABLE; // no wake would end the wait
            } else if (waiting.size() >= maxPending || !holdLimit.tryAcquire()) {
                rejected = Reason.QUEUE_FULL;
            } else {
                ticket = new GateTicket(this, loop, holder, heldRecorder);
                waiting.add(ticket);
                activated = demand.holdStarted();
                cold = ready.isEmpty();
                if (cold && coldStartSince == 0) {
                    coldStartSince = System.nanoTime();
                }
            }
        }
        if (activated) {
            demand.signalActivation();
        }
        if (ticket == null) {
            // Decided at once, on the loop and outside the lock: the holder hears it before admit returns.
            if (lease != null) {
                holder.admitted(lease);
                return DecidedTicket.ADMITTED;
            }
            holder.rejected(rejected);
            return DecidedTicket.REJECTED;
        }
        // A decision racing with this reaches the ticket through its loop, so after hold().
        ticket.hold(coldStartTimeout);
        EndpointSource s = source;
        if (cold && s != null) {
            s.wake();
        }
        return ticket;
    }

    /** Withdraws a waiting ticket; false when it was already decided and its decision is on the way. */
    synchronized boolean cancel(GateTicket ticket) {
        if (!waiting.remove(ticket)) {
            return false;
        }
        demand.holdEnded(false);
        holdLimit.release();
        return true;
    }

    /** Gives back the {@code requests} a lease stood for; only {@link GateLease} calls it, once per lease. */
    void release(Endpoint endpoint, int requests) {
        move(endpoint, -requests);
    }

    /**
     * Requests of an admitted lease on {@code endpoint} started or ended (streams on a multiplexed
     * connection, or the lease's release): fewer may admit waiters, more may activate the route.
     */
    void move(Endpoint endpoint, int delta) {
        List<GateTicket> decided = null; // every request's release passes here: no list unless a waiter goes
        boolean activated;
        synchronized (this) {
            endpoint.addOutstanding(delta);
            activated = delta != 0 && demand.inFlightChanged(delta);
            if (delta < 0 && !waiting.isEmpty()) {
                decided = new ArrayList<>(2);
                dispatch(decided);
            }
        }
        if (activated) {
            demand.signalActivation();
        }
        if (decided != null) {
            deliver(decided);
        }
    }

    /**
     * Connecting to {@code failed} did not work before any byte was sent: it is not ready, so it
     * leaves the ready set until its source reports it again; the request's slot moves to another
     * ready endpoint with capacity, when {@code retry} allows. Returns that endpoint, or null —
     * then the slot is released. Tells the source either way, which re-checks the endpoint.
     */
    Endpoint reassign(Endpoint failed, boolean retry) {
        Endpoint next;
        List<GateTicket> decided = new ArrayList<>(0);
        synchronized (this) {
            failed.addOutstanding(-1);
            if (ready.contains(failed)) {
                List<Endpoint> rest = new ArrayList<>(ready);
                rest.remove(failed);
                ready = List.copyOf(rest);
                log.info("route {}: {} refused a connection; not ready until its source reports it again",
                        route, failed);
            }
            next = retry ? pick(failed) : null;
            if (next != null) {
                next.addOutstanding(1);
            } else {
                demand.finished();
            }
            dispatch(decided);
        }
        deliver(decided);
        EndpointSource s = source;
        if (s != null) {
            s.connectFailed(failed);
        }
        return next;
    }

    @Override
    public void endpointsChanged(List<Endpoint> endpoints) {
        List<GateTicket> decided = new ArrayList<>(0);
        synchronized (this) {
            ready = List.copyOf(endpoints);
            if (!ready.isEmpty() && coldStartSince != 0) {
                long took = System.nanoTime() - coldStartSince;
                coldStartRecorder.accept(took);
                coldStarts.record(took);
                coldStartSince = 0;
            }
            dispatch(decided);
            failIfNothingWakes(decided);
        }
        deliver(decided);
    }

    @Override
    public void startFailed(StartFailure failure) {
        Reason reason = switch (failure.kind()) {
            case EXITED -> Reason.BACKEND_FAILED_TO_START;
            case START_TIMEOUT -> Reason.BACKEND_START_TIMEOUT;
            case BACKING_OFF -> Reason.BACKEND_START_BACKOFF;
        };
        if (!failure.retryAfter().isZero()) {
            retryAt = System.nanoTime() + failure.retryAfter().toNanos();
        }
        List<GateTicket> decided = new ArrayList<>(0);
        synchronized (this) {
            failWaiters(reason, decided);
        }
        deliver(decided);
    }

    /**
     * The {@code Retry-After} seconds of an answer for {@code reason}. While the route is cold, a
     * full queue and the waiting page say when its start typically ends (the median of its recent
     * cold starts, minus what has passed; 1 s when the route is warm or, for a full queue, no start
     * was seen yet, {@link #WAKING_RETRY_AFTER_SECONDS} for the page). The rest of the back-off
     * (at least 1) when the backend is in its restart back-off, a fixed wait when nothing can wake
     * the route, else 0.
     */
    public long retryAfterSeconds(Reason reason) {
        return switch (reason) {
            case QUEUE_FULL -> coldSecondsLeft(1);
            case WAKING -> coldSecondsLeft(WAKING_RETRY_AFTER_SECONDS);
            case NOT_WAKEABLE -> NOT_WAKEABLE_RETRY_AFTER_SECONDS;
            case BACKEND_START_BACKOFF -> Math.max(1, -Math.floorDiv(System.nanoTime() - retryAt, 1_000_000_000L));
            default -> 0;
        };
    }

    /** Retry-After of the waiting page before any cold start of the route was seen. */
    static final long WAKING_RETRY_AFTER_SECONDS = 5;

    private long coldSecondsLeft(long fallback) {
        long elapsed = coldStartElapsedNanos();
        return elapsed == 0 ? 1 : coldStarts.secondsLeft(elapsed, fallback);
    }

    /** The route's recent cold starts. */
    public ColdStarts coldStarts() {
        return coldStarts;
    }

    /** How long the current cold start has run, in nanoseconds; 0 while none runs. */
    public long coldStartElapsedNanos() {
        long since;
        synchronized (this) {
            since = coldStartSince;
        }
        return since == 0 ? 0 : System.nanoTime() - since;
    }

    @Override
    public synchronized boolean hasWaiters() {
        return !waiting.isEmpty();
    }

    @Override
    public synchronized int inFlight() {
        return demand.inFlight();
    }

    /** Refuses new requests and fails every held one with {@code reason} (shutdown, route removed). */
    public void close(Reason reason) {
        List<GateTicket> decided = new ArrayList<>(0);
        synchronized (this) {
            closedReason = reason;
            failWaiters(reason, decided);
        }
        deliver(decided);
    }

    /** The ready endpoints as last reported. */
    public synchronized List<Endpoint> readyEndpoints() {
        return ready;
    }

    public synchronized int heldCount() {
        return waiting.size();
    }

    /** Hands decisions to their tickets' loops. Caller does not hold the lock. */
    private static void deliver(List<GateTicket> decided) {
        for (GateTicket t : decided) {
            t.deliver();
        }
    }

    /** Rejects every waiting ticket with {@code reason}. Caller holds the lock. */
    private void failWaiters(Reason reason, List<GateTicket> decided) {
        for (Iterator<GateTicket> it = waiting.iterator(); it.hasNext(); ) {
            GateTicket t = it.next();
            it.remove();
            demand.holdEnded(false);
            holdLimit.release();
            t.decide(null, reason);
            decided.add(t);
        }
        coldStartSince = 0;
    }

    /** Fails the held requests when no endpoint is ready and none will be woken. Caller holds the lock. */
    private void failIfNothingWakes(List<GateTicket> decided) {
        if (!wakeable && ready.isEmpty() && !waiting.isEmpty()) {
            failWaiters(Reason.NOT_WAKEABLE, decided);
        }
    }

    /** Admits waiters in arrival order while an endpoint has capacity. Caller holds the lock. */
    private void dispatch(List<GateTicket> decided) {
        while (!waiting.isEmpty()) {
            Endpoint e = pick(null);
            if (e == null) {
                return;
            }
            Iterator<GateTicket> it = waiting.iterator();
            GateTicket t = it.next();
            it.remove();
            e.addOutstanding(1);
            demand.holdEnded(true);
            holdLimit.release();
            t.decide(new GateLease(this, e, 1), null);
            decided.add(t);
        }
    }

    /**
     * The least-loaded ready endpoint with spare capacity, other than {@code exclude}; null if
     * none. Exact for small sets, power of two random choices for large ones. Caller holds the lock.
     */
    private Endpoint pick(Endpoint exclude) {
        List<Endpoint> candidates = ready;
        int n = candidates.size();
        if (n == 0) {
            return null;
        }
        if (n > 16) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Endpoint a = candidates.get(random.nextInt(n));
            Endpoint b = candidates.get(random.nextInt(n));
            Endpoint best = better(better(null, a, exclude), b, exclude);
            if (best != null) {
                return best;
            }
        }
        Endpoint best = null;
        for (int i = 0; i < n; i++) {
            best = better(best, candidates.get(i), exclude);
        }
        return best;
    }

    private Endpoint better(Endpoint best, Endpoint candidate, Endpoint exclude) {
        if (candidate == exclude) {
            return best;
        }
        int load = candidate.outstanding();
        if (maxPerEndpoint > 0 && load >= maxPerEndpoint) {
            return best;
        }
        return best == null || load < best.outstanding() ? candidate : best;
    }
}
