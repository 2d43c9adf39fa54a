package io.wakegate.interceptor.hold;

import io.netty.util.concurrent.EventExecutor;
import io.wakegate.interceptor.backend.Endpoint;
import io.wakegate.interceptor.backend.EndpointListener;
import io.wakegate.interceptor.backend.EndpointSource;
import io.wakegate.interceptor.backend.StartFailure;
import io.wakegate.interceptor.demand.DemandCounter;
import io.wakegate.interceptor.http.Reason;
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
 * <p>A route that nothing can wake ({@link #wakeable wakeable} false) holds a request only for a
 * slot on a ready endpoint: with no endpoint ready it is rejected {@link Reason#NOT_WAKEABLE} at
 * once, and so are the requests it holds when the last endpoint goes.
 *
 * <p>Thread-safe: every method may be called from any thread; state changes under the gate's
 * monitor, in short sections that never block. Waiters are called back on their own
 * {@link Waiter#executor()}, never under the lock.
 */
public final class RouteGate implements EndpointListener {

    /** A held request. Callbacks run on {@link #executor()}. */
    public interface Waiter {
        EventExecutor executor();

        /**
         * Admitted to {@code endpoint} after waiting. The waiter now owns one outstanding slot on
         * it and must give it back with {@link RouteGate#release} exactly once, even if its client
         * has gone away meanwhile.
         */
        void admitted(Endpoint endpoint);

        /** The wait ended without an endpoint, for {@code reason}. */
        void failed(Reason reason);
    }

    /** Retry-After of a {@link Reason#NOT_WAKEABLE} answer: until someone fixes what prevents the wake. */
    static final long NOT_WAKEABLE_RETRY_AFTER_SECONDS = 10;

    private static final Logger log = LoggerFactory.getLogger(RouteGate.class);

    private final String route;
    private final DemandCounter demand;
    private final HoldLimit holdLimit;
    private final LongConsumer coldStartRecorder;
    private final LinkedHashSet<Waiter> waiting = new LinkedHashSet<>();
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
     */
    public RouteGate(String route, DemandCounter demand, HoldLimit holdLimit, int maxPending,
                     int maxPerEndpoint, LongConsumer coldStartRecorder) {
        this.route = route;
        this.demand = demand;
        this.holdLimit = holdLimit;
        this.coldStartRecorder = coldStartRecorder;
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
        synchronized (this) {
            this.maxPending = maxPending;
            this.maxPerEndpoint = maxPerEndpoint;
            dispatch();
        }
    }

    /**
     * Whether anything can wake this route's backend from zero (from the route table). Turning
     * false with no endpoint ready fails the held requests {@link Reason#NOT_WAKEABLE}.
     */
    public synchronized void wakeable(boolean wakeable) {
        if (wakeable != this.wakeable) {
            log.info(wakeable ? "route {}: wakeable again; requests wait for a cold start as usual"
                    : "route {}: nothing can wake its backend; without a ready endpoint requests are answered 503 "
                    + "not-wakeable", route);
        }
        this.wakeable = wakeable;
        failIfNothingWakes();
    }

    /**
     * Asks to forward one request. Admitted: the caller owns a slot on the endpoint and gives it
     * back with {@link #release}. Held: {@code waiter} is called later, unless {@link #cancel}
     * removes it first. Rejected: nothing to give back.
     */
    public Admission acquire(Waiter waiter) {
        Admission admission;
        boolean cold;
        synchronized (this) {
            if (closedReason != null) {
                return Admission.rejected(closedReason);
            }
            if (waiting.isEmpty()) {
                Endpoint e = pick(null);
                if (e != null) {
                    e.addOutstanding(1);
                    demand.admitted();
                    return Admission.admitted(e);
                }
            }
            if (!wakeable && ready.isEmpty()) {
                return Admission.rejected(Reason.NOT_WAKEABLE); // no wake would end the wait
            }
            if (waiting.size() >= maxPending || !holdLimit.tryAcquire()) {
                return Admission.rejected(Reason.QUEUE_FULL);
            }
            waiting.add(waiter);
            demand.holdStarted();
            cold = ready.isEmpty();
            if (cold && coldStartSince == 0) {
                coldStartSince = System.nanoTime();
            }
            admission = Admission.HELD;
        }
        EndpointSource s = source;
        if (cold && s != null) {
            s.wake();
        }
        return admission;
    }

    /**
     * Withdraws a held request (timeout, client gone). Returns false when it was already
     * admitted or failed: its callback is on the way and the caller must wait for it.
     */
    public synchronized boolean cancel(Waiter waiter) {
        if (!waiting.remove(waiter)) {
            return false;
        }
        demand.holdEnded(false);
        holdLimit.release();
        return true;
    }

    /** Gives back a slot taken by admission: the request's response or tunnel has ended. */
    public synchronized void release(Endpoint endpoint) {
        endpoint.addOutstanding(-1);
        demand.finished();
        dispatch();
    }

    /**
     * Connecting to {@code failed} did not work before any byte was sent: moves the request's slot
     * to another ready endpoint with capacity, when {@code retry} allows. Returns that endpoint, or
     * null — then the slot is released and the request has ended. Tells the source either way.
     */
    public Endpoint reassign(Endpoint failed, boolean retry) {
        Endpoint next;
        synchronized (this) {
            failed.addOutstanding(-1);
            next = retry ? pick(failed) : null;
            if (next != null) {
                next.addOutstanding(1);
            } else {
                demand.finished();
            }
            dispatch();
        }
        EndpointSource s = source;
        if (s != null) {
            s.connectFailed(failed);
        }
        return next;
    }

    @Override
    public void endpointsChanged(List<Endpoint> endpoints) {
        synchronized (this) {
            ready = List.copyOf(endpoints);
            if (!ready.isEmpty() && coldStartSince != 0) {
                coldStartRecorder.accept(System.nanoTime() - coldStartSince);
                coldStartSince = 0;
            }
            dispatch();
            failIfNothingWakes();
        }
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
        failWaiters(reason);
    }

    /**
     * The {@code Retry-After} seconds of an answer for {@code reason}: 1 when the queue is full,
     * the rest of the back-off (at least 1) when the backend is in its restart back-off, a fixed
     * wait when nothing can wake the route, else 0.
     */
    public long retryAfterSeconds(Reason reason) {
        return switch (reason) {
            case QUEUE_FULL -> 1;
            case NOT_WAKEABLE -> NOT_WAKEABLE_RETRY_AFTER_SECONDS;
            case BACKEND_START_BACKOFF -> Math.max(1, -Math.floorDiv(System.nanoTime() - retryAt, 1_000_000_000L));
            default -> 0;
        };
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
        synchronized (this) {
            closedReason = reason;
        }
        failWaiters(reason);
    }

    /** The ready endpoints as last reported. */
    public synchronized List<Endpoint> readyEndpoints() {
        return ready;
    }

    public synchronized int heldCount() {
        return waiting.size();
    }

    private synchronized void failWaiters(Reason reason) {
        for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            it.remove();
            demand.holdEnded(false);
            holdLimit.release();
            w.executor().execute(() -> w.failed(reason));
        }
        coldStartSince = 0;
    }

    /** Fails the held requests when no endpoint is ready and none will be woken. Caller holds the lock. */
    private void failIfNothingWakes() {
        if (!wakeable && ready.isEmpty() && !waiting.isEmpty()) {
            failWaiters(Reason.NOT_WAKEABLE);
        }
    }

    /** Admits waiters in arrival order while an endpoint has capacity. Caller holds the lock. */
    private void dispatch() {
        while (!waiting.isEmpty()) {
            Endpoint e = pick(null);
            if (e == null) {
                return;
            }
            Iterator<Waiter> it = waiting.iterator();
            Waiter w = it.next();
            it.remove();
            e.addOutstanding(1);
            demand.holdEnded(true);
            holdLimit.release();
            w.executor().execute(() -> w.admitted(e));
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
