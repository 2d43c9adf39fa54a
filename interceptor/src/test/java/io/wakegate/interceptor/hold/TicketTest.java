package io.wakegate.interceptor.hold;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.wakegate.interceptor.http.Reason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A ticket ends exactly one way, on its own loop and outside the gate's lock; the races between a
 * cancel or timeout and an admission already on its way, in virtual time.
 */
class TicketTest {

    private final GateFixture f = new GateFixture(1);

    @Test
    void aHeldTicketTimesOutAtTheColdStartTimeout() {
        GateFixture.Holder h = f.new Holder();
        Ticket ticket = f.admit(h);
        assertThat(ticket.state()).isEqualTo(Ticket.State.WAITING);
        assertThat(f.demand.held()).isEqualTo(1);

        f.advance(GateFixture.COLD_START_TIMEOUT.minusMillis(1));
        assertThat(ticket.state()).isEqualTo(Ticket.State.WAITING);
        f.advance(Duration.ofMillis(1));
        assertThat(ticket.state()).isEqualTo(Ticket.State.TIMED_OUT);
        assertThat(h.events).containsExactly("rejected " + Reason.COLD_START_TIMEOUT.code());
        assertThat(ticket.waited()).isTrue();
        assertThat(f.heldTimes).hasSize(1);
        f.assertAllReturned();
    }

    @Test
    void anAdmissionIsDeliveredOnTheLoopOutsideTheLock() {
        GateFixture.Holder h = f.new Holder();
        Ticket ticket = f.admissionOnItsWay(h);
        assertThat(ticket.state()).as("decided, not yet delivered").isEqualTo(Ticket.State.WAITING);

        f.runPending();
        assertThat(ticket.state()).isEqualTo(Ticket.State.ADMITTED);
        assertThat(h.events).containsExactly("admitted e1");
        assertThat(f.heldTimes).hasSize(1);
        f.advance(GateFixture.COLD_START_TIMEOUT);
        assertThat(h.events).as("the timer was stopped").hasSize(1);

        h.lease.release();
        f.assertAllReturned();
    }

    @Test
    void aCancelBeforeTheAdmissionArrivesReturnsItsSlot() {
        GateFixture.Holder h = f.new Holder();
        Ticket ticket = f.admissionOnItsWay(h); // admitted under the lock, on its way to the loop
        assertThat(f.e1.outstanding()).isEqualTo(1);

        ticket.cancel();
        ticket.cancel();
        f.runPending();
        assertThat(ticket.state()).isEqualTo(Ticket.State.CANCELLED);
        assertThat(h.events).as("a cancelled holder hears nothing").isEmpty();
        f.assertAllReturned();
    }

    @Test
    void aCancelWhileWaitingLeavesTheQueue() {
        GateFixture.Holder h = f.new Holder();
        Ticket ticket = f.admit(h);
        ticket.cancel();
        assertThat(f.gate.heldCount()).isZero();

        f.gate.endpointsChanged(List.of(f.e1));
        f.advance(GateFixture.COLD_START_TIMEOUT);
        assertThat(h.events).isEmpty();
        f.assertAllReturned();
    }

    @Test
    void aTimeoutRacingAnAdmissionOnItsWayLosesToIt() {
        GateFixture.Holder h = f.new Holder();
        Ticket ticket = f.admissionOnItsWay(h);
        f.advance(GateFixture.COLD_START_TIMEOUT); // the timer fires before the admission task runs
        f.runPending();

        assertThat(ticket.state()).isEqualTo(Ticket.State.ADMITTED);
        assertThat(h.events).containsExactly("admitted e1");
        h.lease.release();
        f.assertAllReturned();
    }

    @Test
    void aRejectionIsDeliveredOnceAndACancelAfterItChangesNothing() {
        GateFixture.Holder h = f.new Holder();
        Ticket ticket = f.admit(h);
        f.gate.close(Reason.ROUTE_REMOVED);
        f.runPending();
        ticket.cancel();

        assertThat(ticket.state()).isEqualTo(Ticket.State.REJECTED);
        assertThat(h.events).containsExactly("rejected " + Reason.ROUTE_REMOVED.code());
        f.assertAllReturned();
    }

    @Test
    void anImmediateAnswerReachesTheHolderBeforeAdmitReturns() {
        f.gate.endpointsChanged(List.of(f.e1));
        GateFixture.Holder first = f.new Holder();
        assertThat(f.admit(first).state()).isEqualTo(Ticket.State.ADMITTED);
        assertThat(first.events).containsExactly("admitted e1");
        assertThat(first.lease).isNotNull();
        assertThat(f.heldTimes).as("an immediate admission was never held").isEmpty();

        f.gate.close(Reason.SHUTTING_DOWN);
        GateFixture.Holder late = f.new Holder();
        assertThat(f.admit(late).state()).isEqualTo(Ticket.State.REJECTED);
        assertThat(late.events).containsExactly("rejected " + Reason.SHUTTING_DOWN.code());
        first.lease.release();
        f.assertAllReturned();
    }

    @Test
    void activationIsSignalledOutsideTheGateLock() {
        f.admit(f.new Holder());
        assertThat(f.activations).isEqualTo(1);
        assertThat(f.activatedUnderLock).isFalse();
        f.gate.close(Reason.SHUTTING_DOWN);
        f.runPending();
        f.assertAllReturned();
    }

    @Test
    void anAdmissionForALoopThatHasShutDownReturnsTheSlot() throws Exception {
        DefaultEventExecutor loop = new DefaultEventExecutor();
        GateFixture.Holder h = f.new Holder();
        loop.submit(() -> f.gate.admit(loop, GateFixture.COLD_START_TIMEOUT, h)).get(5, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);

        f.gate.endpointsChanged(List.of(f.e1));
        assertThat(h.events).isEmpty();
        f.assertAllReturned();
    }
}
