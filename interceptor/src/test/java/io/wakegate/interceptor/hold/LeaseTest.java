package io.wakegate.interceptor.hold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wakegate.interceptor.backend.Endpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A lease returns its endpoint slot exactly once, however the request ends. */
class LeaseTest {

    private final GateFixture f = new GateFixture(1);

    @Test
    void releaseReturnsTheSlotOnceHoweverOftenItIsCalled() {
        GateFixture.Holder h = f.admitted(f.e1);
        assertThat(f.e1.outstanding()).isEqualTo(1);
        assertThat(f.demand.inFlight()).isEqualTo(1);

        h.lease.release();
        h.lease.release();
        h.lease.release();
        f.assertAllReturned();
    }

    @Test
    void aReleasedSlotAdmitsTheNextWaiterOnItsLoop() {
        f.gate.endpointsChanged(List.of(f.e1));
        GateFixture.Holder first = f.new Holder();
        GateFixture.Holder second = f.new Holder();
        f.admit(first);
        assertThat(f.admit(second).state()).as("e1 is at its cap of 1").isEqualTo(Ticket.State.WAITING);

        first.lease.release();
        assertThat(second.events).as("delivered through the loop, not inside release()").isEmpty();
        f.runPending();
        assertThat(second.events).containsExactly("admitted e1");
        assertThat(f.e1.outstanding()).isEqualTo(1);
        first.lease.release(); // a second release of the first lease takes nothing from the second
        assertThat(f.e1.outstanding()).isEqualTo(1);

        second.lease.release();
        f.assertAllReturned();
    }

    @Test
    void aMultiplexedLeaseCountsItsActiveStreamsAndNothingWhenIdle() {
        GateFixture wide = new GateFixture(0);
        GateFixture.Holder h = wide.admitted(wide.e1);
        assertThat(wide.activations).isEqualTo(1);

        h.lease.requests(3);
        assertThat(wide.demand.inFlight()).isEqualTo(3);
        assertThat(wide.e1.outstanding()).isEqualTo(3);
        h.lease.requests(0); // an idle connection: no demand, no load
        assertThat(wide.demand.inFlight()).isZero();
        assertThat(wide.e1.outstanding()).isZero();
        h.lease.requests(1);
        assertThat(wide.activations).as("a new stream on an idle connection wakes the route again").isEqualTo(2);
        assertThat(wide.activatedUnderLock).isFalse();

        h.lease.release();
        h.lease.requests(5); // ignored once released
        wide.assertAllReturned();
    }

    @Test
    void tradeMovesTheSlotToAnotherEndpoint() {
        GateFixture.Holder h = f.admitted(f.e1, f.e2);
        Lease first = h.lease;

        Lease next = first.trade();
        assertThat(next.endpoint()).isNotSameAs(first.endpoint());
        assertThat(first.endpoint().outstanding()).isZero();
        assertThat(next.endpoint().outstanding()).isEqualTo(1);
        assertThat(f.demand.inFlight()).as("still one request in flight").isEqualTo(1);
        first.release(); // ended by the trade: nothing more to give back
        assertThat(next.endpoint().outstanding()).isEqualTo(1);
        assertThatThrownBy(first::trade).isInstanceOf(IllegalStateException.class);

        next.release();
        f.assertAllReturned();
    }

    @Test
    void tradeWithNoOtherEndpointReturnsTheSlot() {
        GateFixture.Holder h = f.admitted(f.e1);

        assertThat(h.lease.trade()).isNull();
        h.lease.release();
        f.assertAllReturned();
    }

    @Test
    void tradeTakesTheRefusedEndpointOutOfTheReadySet() {
        GateFixture.Holder h = f.admitted(f.e1, f.e2);
        Lease next = h.lease.trade();

        assertThat(f.gate.readyEndpoints()).containsExactly(next.endpoint());
        next.release();
        f.assertAllReturned();
    }

    @Test
    void tradeGivesUpAfterTheLastAttempt() {
        GateFixture wide = new GateFixture(0);
        List<Endpoint> four = new ArrayList<>();
        for (int i = 0; i < GateLease.MAX_ATTEMPTS + 1; i++) {
            four.add(new Endpoint("e" + i, new InetSocketAddress("127.0.0.1", 20 + i)));
        }
        wide.gate.endpointsChanged(four);
        GateFixture.Holder h = wide.new Holder();
        wide.admit(h);
        Lease lease = h.lease;
        for (int attempt = 1; attempt < GateLease.MAX_ATTEMPTS; attempt++) {
            lease = lease.trade();
            assertThat(lease).as("attempt %d", attempt + 1).isNotNull();
        }
        assertThat(lease.trade()).as("one endpoint is left, but the request has tried enough").isNull();
        assertThat(wide.gate.readyEndpoints()).hasSize(1);
        assertThat(four).allSatisfy(e -> assertThat(e.outstanding()).isZero());
        wide.assertAllReturned();
    }
}
