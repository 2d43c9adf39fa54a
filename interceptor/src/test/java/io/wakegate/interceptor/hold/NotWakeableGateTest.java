package io.wakegate.interceptor.hold;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.wakegate.interceptor.backend.Endpoint;
import io.wakegate.interceptor.demand.DemandCounter;
import io.wakegate.interceptor.http.Reason;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gate of a route that nothing can wake: it holds a request only for a slot on a ready
 * endpoint, never for a wake, and lets nothing wait once no endpoint is ready.
 */
class NotWakeableGateTest {

    private final HoldLimit holdLimit = new HoldLimit(100);
    private final DemandCounter demand = new DemandCounter("r", () -> { });
    private final RouteGate gate = new RouteGate("r", demand, holdLimit, 10, 1, nanos -> { });
    private final Endpoint endpoint = new Endpoint("e", new InetSocketAddress("127.0.0.1", 9));

    @Test
    void withoutAReadyEndpointARequestIsRejectedAtOnce() {
        gate.wakeable(false);
        Admission admission = gate.acquire(new Recorder());
        assertThat(admission.rejection()).isEqualTo(Reason.NOT_WAKEABLE);
        assertThat(gate.heldCount()).isZero();
        assertThat(holdLimit.held()).isZero();
    }

    @Test
    void aRequestWaitsForASlotButFailsWhenTheLastEndpointGoes() {
        gate.wakeable(false);
        gate.endpointsChanged(List.of(endpoint));
        assertThat(gate.acquire(new Recorder()).endpoint()).isSameAs(endpoint);
        Recorder second = new Recorder();
        assertThat(gate.acquire(second).isHeld()).as("the endpoint is at its cap of 1").isTrue();

        gate.endpointsChanged(List.of());
        assertThat(second.events).containsExactly("failed not-wakeable");
        assertThat(gate.heldCount()).isZero();
        assertThat(holdLimit.held()).isZero();
    }

    @Test
    void requestsHeldForAWakeFailWhenTheRouteTurnsNotWakeable() {
        Recorder held = new Recorder();
        assertThat(gate.acquire(held).isHeld()).isTrue();
        gate.wakeable(false);
        assertThat(held.events).containsExactly("failed not-wakeable");
        assertThat(holdLimit.held()).isZero();

        gate.wakeable(true);
        assertThat(gate.acquire(new Recorder()).isHeld()).as("wakeable again: held as usual").isTrue();
    }

    @Test
    void notWakeableAnswersTellClientsWhenToRetry() {
        assertThat(gate.retryAfterSeconds(Reason.NOT_WAKEABLE)).isEqualTo(RouteGate.NOT_WAKEABLE_RETRY_AFTER_SECONDS)
                .isPositive();
        assertThat(gate.retryAfterSeconds(Reason.QUEUE_FULL)).isEqualTo(1);
        assertThat(gate.retryAfterSeconds(Reason.COLD_START_TIMEOUT)).isZero();
    }

    private static final class Recorder implements RouteGate.Waiter {
        final List<String> events = new ArrayList<>();

        @Override
        public EventExecutor executor() {
            return ImmediateEventExecutor.INSTANCE;
        }

        @Override
        public void admitted(Endpoint endpoint) {
            events.add("admitted " + endpoint);
        }

        @Override
        public void failed(Reason reason) {
            events.add("failed " + reason.code());
        }
    }
}
