package io.wakegate.interceptor.hold;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.wakegate.interceptor.backend.Endpoint;
import io.wakegate.interceptor.demand.DemandCounter;
import io.wakegate.interceptor.http.Reason;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One route's gate on an {@link EmbeddedChannel}'s loop in virtual time: tickets taken on that
 * loop, decisions delivered only when the test runs its pending tasks.
 */
final class GateFixture {

    static final Duration COLD_START_TIMEOUT = Duration.ofSeconds(30);

    final EmbeddedChannel channel = new EmbeddedChannel();
    final HoldLimit holdLimit = new HoldLimit(100);
    final List<Long> heldTimes = new ArrayList<>();
    int activations;
    boolean activatedUnderLock;
    final DemandCounter demand;
    final RouteGate gate;
    final Endpoint e1 = new Endpoint("e1", new InetSocketAddress("127.0.0.1", 9));
    final Endpoint e2 = new Endpoint("e2", new InetSocketAddress("127.0.0.1", 10));

    GateFixture(int maxPerEndpoint) {
        channel.freezeTime();
        RouteGate[] self = new RouteGate[1];
        demand = new DemandCounter("r", () -> {
            activations++;
            activatedUnderLock |= Thread.holdsLock(self[0]);
        });
        gate = new RouteGate("r", demand, holdLimit, 10, maxPerEndpoint, nanos -> { }, heldTimes::add);
        self[0] = gate;
    }

    Ticket admit(Holder holder) {
        return gate.admit(channel.eventLoop(), COLD_START_TIMEOUT, holder);
    }

    /** Reports {@code ready} and admits one request, at once. */
    Holder admitted(Endpoint... ready) {
        gate.endpointsChanged(List.of(ready));
        Holder h = new Holder();
        admit(h);
        return h;
    }

    /** A request waits, then {@link #e1} is reported ready: its admission is on its way to the loop. */
    Ticket admissionOnItsWay(Holder holder) {
        Ticket ticket = admit(holder);
        gate.endpointsChanged(List.of(e1));
        return ticket;
    }

    void runPending() {
        channel.runPendingTasks();
    }

    void advance(Duration d) {
        channel.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    /** Nothing held, nothing in flight, no slot outstanding, no message or leak on the channel. */
    void assertAllReturned() {
        assertThat(e1.outstanding()).as("e1 slots").isZero();
        assertThat(e2.outstanding()).as("e2 slots").isZero();
        assertThat(demand.inFlight()).as("in flight").isZero();
        assertThat(demand.held()).as("held").isZero();
        assertThat(holdLimit.held()).as("hold places").isZero();
        assertThat(gate.heldCount()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    /** Records what a ticket's holder heard, and whether it heard it under the gate's lock. */
    final class Holder implements Ticket.Holder {
        final List<String> events = new ArrayList<>();
        Lease lease;

        @Override
        public void admitted(Lease lease) {
            this.lease = lease;
            events.add("admitted " + lease.endpoint() + (Thread.holdsLock(gate) ? " under the lock" : ""));
        }

        @Override
        public void rejected(Reason reason) {
            events.add("rejected " + reason.code() + (Thread.holdsLock(gate) ? " under the lock" : ""));
        }
    }
}
