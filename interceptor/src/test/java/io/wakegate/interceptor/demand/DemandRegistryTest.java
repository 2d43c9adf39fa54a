package io.wakegate.interceptor.demand;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Removed routes in the demand view: reported until drained, then at zero for a while, then gone. */
class DemandRegistryTest {

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final DemandRegistry registry = new DemandRegistry(nanos::get);

    private boolean reported(String route) {
        return registry.snapshot().stream().anyMatch(d -> d.route().equals(route));
    }

    @Test
    void aRemovedRouteIsReportedAtZeroForTheGraceWhoeverTakesSnapshots() {
        DemandCounter counter = registry.counter("a");
        counter.arrived();
        counter.admitted();
        registry.retire("a");
        assertThat(reported("a")).as("busy: still reported").isTrue();

        counter.finished();
        // Many readers (the admin page, every report stream): none of them consumes the last zero.
        for (int i = 0; i < 5; i++) {
            assertThat(registry.snapshot()).filteredOn(d -> d.route().equals("a")).singleElement()
                    .satisfies(d -> assertThat(d.inFlight()).isZero());
        }
        nanos.addAndGet(DemandRegistry.RETIRED_GRACE_NANOS);
        registry.snapshot(); // the last one that shows it
        assertThat(reported("a")).as("gone after the grace").isFalse();
    }

    @Test
    void aRouteAddedBackBeforeTheGraceEndsStaysLive() {
        registry.counter("a");
        registry.retire("a");
        assertThat(reported("a")).isTrue();
        registry.counter("a");
        nanos.addAndGet(DemandRegistry.RETIRED_GRACE_NANOS * 2);
        assertThat(reported("a")).isTrue();
        assertThat(reported("a")).isTrue();
    }
}
