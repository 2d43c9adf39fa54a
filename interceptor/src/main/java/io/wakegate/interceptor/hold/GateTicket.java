package io.wakegate.interceptor.hold;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.wakegate.interceptor.config.Durations;
import io.wakegate.interceptor.http.Reason;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Ticket} at a {@link RouteGate}. The gate decides under its lock ({@link #decide}) and
 * hands the decision over after releasing it ({@link #deliver}); everything else runs on the
 * ticket's loop, so the only race — a cancel or timeout against a decision on its way — is
 * settled there: whichever reaches the loop first wins, and a lease that loses is released.
 */
final class GateTicket implements Ticket {

    private static final Logger log = LoggerFactory.getLogger(GateTicket.class);

    private final RouteGate gate;
    private final EventExecutor loop;
    private final Holder holder;
    private final LongConsumer heldRecorder;
    private State state = State.WAITING;
    private long heldSince;
    private ScheduledFuture<?> timer;
    // Written under the gate's lock by decide(), read on the loop after the hand-off in deliver().
    private Lease lease;
    private Reason reason;

    GateTicket(RouteGate gate, EventExecutor loop, Holder holder, LongConsumer heldRecorder) {
        this.gate = gate;
        this.loop = loop;
        this.holder = holder;
        this.heldRecorder = heldRecorder;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public boolean waited() {
        return heldSince != 0;
    }

    /** The gate queued the ticket: start the cold-start timer. On the loop. */
    void hold(Duration timeout) {
        heldSince = System.nanoTime();
        timer = loop.schedule(() -> timedOut(timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Under the gate's lock: the ticket leaves the queue with {@code lease}, or rejected for {@code reason}. */
    void decide(Lease lease, Reason reason) {
        this.lease = lease;
        this.reason = reason;
    }

    /**
     * After the gate's lock: brings the decision to the ticket's loop as a task of its own, even
     * from that loop, so a holder is never called back inside another holder's ending.
     */
    void deliver() {
        try {
            loop.execute(this::arrive);
        } catch (RejectedExecutionException e) {
            // The loop has shut down: nobody is left to answer, but the slot must come back.
            if (lease != null) {
                lease.release();
            }
        }
    }

    /** On the loop: the decision reaches the holder, unless the ticket was cancelled meanwhile. */
    private void arrive() {
        if (state != State.WAITING) {
            if (lease != null) {
                lease.release(); // cancelled while the admission was on its way
            }
            return;
        }
        stopWaiting();
        if (lease != null) {
            state = State.ADMITTED;
            holder.admitted(lease);
        } else {
            state = State.REJECTED;
            holder.rejected(reason);
        }
    }

    private void timedOut(Duration timeout) {
        timer = null;
        if (state == State.WAITING && gate.cancel(this)) {
            stopWaiting();
            state = State.TIMED_OUT;
            log.info("route {}: request held {} without a ready endpoint; answering 504", gate.route(),
                    Durations.format(timeout));
            holder.rejected(Reason.COLD_START_TIMEOUT);
        }
        // else a decision is on its way and wins
    }

    @Override
    public void cancel() {
        if (state != State.WAITING) {
            return;
        }
        stopWaiting();
        state = State.CANCELLED;
        gate.cancel(this); // false: a decision is on its way; arrive() releases its lease
    }

    private void stopWaiting() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (heldSince != 0) {
            heldRecorder.accept(System.nanoTime() - heldSince);
        }
    }
}
