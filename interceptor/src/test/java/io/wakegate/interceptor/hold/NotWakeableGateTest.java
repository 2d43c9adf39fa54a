package io.wakegate.interceptor.hold;

import static org.assertj.core.api.Assertions.assertThat;

import io.wakegate.interceptor.http.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gate of a route that nothing can wake: it holds a request only for a slot on a ready
 * endpoint, never for a wake, and lets nothing wait once no endpoint is ready.
 */
class NotWakeableGateTest {

    private final GateFixture f = new GateFixture(1);
    private final RouteGate gate = f.gate;

    @Test
    void withoutAReadyEndpointARequestIsRejectedAtOnce() {
        gate.wakeable(false);
        GateFixture.Holder holder = f.new Holder();
        assertThat(f.admit(holder).state()).isEqualTo(Ticket.State.REJECTED);
        assertThat(holder.events).containsExactly("rejected not-wakeable");
        f.assertAllReturned();
    }

    @Test
    void aRequestWaitsForASlotButFailsWhenTheLastEndpointGoes() {
        gate.wakeable(false);
        gate.endpointsChanged(List.of(f.e1));
        GateFixture.Holder first = f.new Holder();
        f.admit(first);
        assertThat(first.events).containsExactly("admitted e1");
        GateFixture.Holder second = f.new Holder();
        assertThat(f.admit(second).state()).as("the endpoint is at its cap of 1").isEqualTo(Ticket.State.WAITING);

        gate.endpointsChanged(List.of());
        f.runPending();
        assertThat(second.events).containsExactly("rejected not-wakeable");
        first.lease.release();
        f.assertAllReturned();
    }

    @Test
    void requestsHeldForAWakeFailWhenTheRouteTurnsNotWakeable() {
        GateFixture.Holder held = f.new Holder();
        assertThat(f.admit(held).state()).isEqualTo(Ticket.State.WAITING);
        gate.wakeable(false);
        f.runPending();
        assertThat(held.events).containsExactly("rejected not-wakeable");
        assertThat(f.holdLimit.held()).isZero();

        gate.wakeable(true);
        Ticket again = f.admit(f.new Holder());
        assertThat(again.state()).as("wakeable again: held as usual").isEqualTo(Ticket.State.WAITING);
        again.cancel();
        f.assertAllReturned();
    }

    @Test
    void notWakeableAnswersTellClientsWhenToRetry() {
        assertThat(gate.retryAfterSeconds(Reason.NOT_WAKEABLE)).isEqualTo(RouteGate.NOT_WAKEABLE_RETRY_AFTER_SECONDS)
                .isPositive();
        assertThat(gate.retryAfterSeconds(Reason.QUEUE_FULL)).isEqualTo(1);
        assertThat(gate.retryAfterSeconds(Reason.COLD_START_TIMEOUT)).isZero();
    }
}
