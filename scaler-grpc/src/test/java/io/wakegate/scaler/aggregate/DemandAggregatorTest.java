package io.wakegate.scaler.aggregate;

import static io.wakegate.scaler.Reports.report;
import static io.wakegate.scaler.Reports.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wakegate.proto.demand.DemandReport;
import io.wakegate.scaler.Reports.ManualTicker;
import io.wakegate.scaler.metrics.ScalerMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemandAggregatorTest {

    private static final Duration WINDOW = Duration.ofSeconds(10);

    private final ManualTicker ticker = new ManualTicker();
    private final DemandAggregator agg = new DemandAggregator(
            new DemandAggregator.Settings(3, Duration.ofSeconds(60)), ticker,
            new ScalerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));

    @Test
    void latestReportsOfAllInterceptorsAreSummed() {
        for (int i = 1; i <= 3; i++) {
            agg.apply(agg.openSession(), report("ic-" + i, 1, true, route("ns/a", i, 10 * i, 0, 0),
                    route("ns/b", 0, 0, 0, 0)));
        }
        RouteStats a = agg.stats("ns/a", WINDOW);
        assertThat(a.known()).isTrue();
        assertThat(a.liveInterceptors()).isEqualTo(3);
        assertThat(a.held()).isEqualTo(6);
        assertThat(a.inFlight()).isEqualTo(60);
        assertThat(agg.stats("ns/b", WINDOW).busy()).isFalse();
        assertThat(agg.stats("ns/none", WINDOW).known()).isFalse();
    }

    @Test
    void aLaterReportReplacesTheEarlierOneAndStaleOnesAreIgnored() {
        DemandAggregator.Session s = agg.openSession();
        agg.apply(s, report("ic", 5, true, route("r", 4, 0, 4, 0)));
        assertThat(agg.apply(s, report("ic", 6, false, route("r", 1, 0, 4, 0))))
                .isEqualTo(DemandAggregator.Outcome.ACCEPTED);
        // a late report from an older stream of the same interceptor
        assertThat(agg.apply(agg.openSession(), report("ic", 3, true, route("r", 9, 0, 9, 0))))
                .isEqualTo(DemandAggregator.Outcome.STALE);
        assertThat(agg.stats("r", WINDOW).held()).isEqualTo(1);
    }

    @Test
    void fullStateDropsRoutesNotListedAndPartialStateDropsRemovedRoutes() {
        DemandAggregator.Session s = agg.openSession();
        agg.apply(s, report("ic", 1, true, route("a", 1, 0, 1, 0), route("b", 1, 0, 1, 0),
                route("c", 1, 0, 1, 0)));
        agg.apply(s, DemandReport.newBuilder(report("ic", 2, false)).addRemovedRoutes("c").build());
        assertThat(agg.stats("c", WINDOW).known()).isFalse();
        agg.apply(agg.openSession(), report("ic", 3, true, route("a", 1, 0, 1, 0)));
        assertThat(agg.stats("b", WINDOW).known()).isFalse();
        assertThat(agg.stats("a", WINDOW).held()).isEqualTo(1);
    }

    @Test
    void anInterceptorWhoseStreamClosedExpiresAfterTheConfiguredMissedIntervals() {
        DemandAggregator.Session gone = agg.openSession();
        agg.apply(gone, report("gone", 1, true, route("r", 2, 0, 2, 0)));
        DemandAggregator.Session stays = agg.openSession();
        agg.apply(stays, report("stays", 1, true, route("r", 1, 0, 1, 0)));
        List<Set<String>> changes = new ArrayList<>();
        agg.close(gone);
        ticker.advanceMillis(250); // 2.5 intervals of 100 ms: not yet
        agg.apply(stays, report("stays", 2, false, route("r", 1, 0, 1, 1)));
        agg.addChangeListener((routes, at) -> changes.add(routes));
        agg.sweep();
        assertThat(agg.stats("r", WINDOW).held()).isEqualTo(3);
        assertThat(agg.liveInterceptors()).isEqualTo(2);
        ticker.advanceMillis(100); // past 3 intervals
        assertThat(agg.stats("r", WINDOW).held()).as("expired before the sweep runs").isEqualTo(1);
        assertThat(agg.stats("r", WINDOW).liveInterceptors()).as("counted out before the sweep")
                .isEqualTo(1);
        agg.sweep();
        assertThat(agg.stats("r", WINDOW).held()).isEqualTo(1);
        assertThat(agg.liveInterceptors()).isEqualTo(1);
        assertThat(changes).containsExactly(Set.of("r"));
    }

    @Test
    void anIdleInterceptorWithAnOpenStreamStaysLiveButASilentBusyOneExpires() {
        agg.apply(agg.openSession(), report("idle", 1, true, route("r", 0, 0, 0, 0)));
        agg.apply(agg.openSession(), report("busy", 1, true, route("r", 0, 3, 3, 0)));
        ticker.advanceMillis(10_000);
        agg.sweep();
        RouteStats r = agg.stats("r", WINDOW);
        assertThat(r.liveInterceptors()).isEqualTo(1);
        assertThat(r.known()).isTrue();
        assertThat(r.inFlight()).isZero();
    }

    @Test
    void shortRequestsGiveAnExactAverageAndRate() {
        // 20 requests a second, 10 ms each, reported every 250 ms: 5 requests, 50 ms of
        // concurrency per report
        DemandAggregator.Session s = agg.openSession();
        agg.apply(s, report("ic", 1, true, route("r", 0, 0, 0, 0)));
        long requests = 0;
        long integral = 0;
        for (int i = 0; i < 40; i++) {
            ticker.advanceMillis(250);
            requests += 5;
            integral += 5 * 10_000_000L;
            agg.apply(s, report("ic", i + 2, false, route("r", 0, 0, requests, integral)));
        }
        RouteStats r = agg.stats("r", WINDOW);
        assertThat(r.busy()).isFalse();
        assertThat(r.avgConcurrency()).isCloseTo(0.2, within(0.03));
        assertThat(r.requestRate()).isCloseTo(20, within(3.0));
    }

    @Test
    void concurrencyIntegralIsWrapSafe() {
        DemandAggregator.Session s = agg.openSession();
        long start = Long.MAX_VALUE - 500_000_000L;
        agg.apply(s, report("ic", 1, true, route("r", 1, 0, 1, start)));
        ticker.advanceMillis(1000);
        agg.apply(s, report("ic", 2, false, route("r", 1, 0, 1, start + 1_000_000_000L)));
        assertThat(agg.stats("r", WINDOW).avgConcurrency()).isCloseTo(1.0, within(0.01));
    }

    @Test
    void aRouteForgottenByTheSweepCountsAgainWhenReportedAgain() {
        DemandAggregator.Session s = agg.openSession();
        agg.apply(s, report("ic", 1, true, route("r", 0, 0, 0, 0), route("keep", 0, 0, 0, 0)));
        ticker.advanceMillis(100);
        agg.apply(s, report("ic", 2, false, route("r", 0, 0, 5, 0)));
        agg.apply(s, report("ic", 3, true, route("keep", 0, 0, 0, 0)));
        ticker.advanceMillis(61_000); // past the longest window: "r" is forgotten
        agg.sweep();
        assertThat(agg.stats("r", WINDOW).known()).isFalse();
        agg.apply(s, report("ic", 4, false, route("r", 2, 0, 9, 0)));
        ticker.advanceMillis(100);
        agg.apply(s, report("ic", 5, false, route("r", 1, 0, 13, 0)));
        RouteStats r = agg.stats("r", WINDOW);
        assertThat(r.known()).isTrue();
        assertThat(r.held()).isEqualTo(1);
        assertThat(r.requestRate()).as("4 requests since its new baseline, over 1 s at least")
                .isCloseTo(4.0, within(0.01));
    }

    @Test
    void concurrentReportsSweepsAndReadsAddUp() throws Exception {
        int writers = 4;
        int routes = 50;
        int reports = 301;
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (int w = 0; w < writers; w++) {
            String id = "ic-" + w;
            threads.add(new Thread(() -> {
                DemandAggregator.Session s = agg.openSession();
                for (int seq = 1; seq <= reports; seq++) {
                    io.wakegate.proto.demand.RouteDemand[] rds = new io.wakegate.proto.demand.RouteDemand[routes];
                    for (int i = 0; i < routes; i++) {
                        // held alternates 0 / 1 and ends at 1 on every route
                        rds[i] = route("r" + i, seq % 2, 0, seq, 0);
                    }
                    agg.apply(s, report(id, seq, seq % 50 == 1, rds));
                }
            }));
        }
        Thread reader = new Thread(() -> {
            java.util.SplittableRandom random = new java.util.SplittableRandom(1);
            while (running.get()) {
                RouteStats r = agg.stats("r" + random.nextInt(routes), WINDOW);
                if (r.held() < 0 || r.held() > writers || r.liveInterceptors() > writers) {
                    failures.add(new AssertionError(r.toString()));
                }
                agg.sweep();
            }
        });
        reader.start();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(30_000);
        }
        running.set(false);
        reader.join(30_000);
        assertThat(failures).isEmpty();
        assertThat(agg.liveInterceptors()).isEqualTo(writers);
        for (int i = 0; i < routes; i++) {
            RouteStats r = agg.stats("r" + i, WINDOW);
            assertThat(r.held()).as("r" + i).isEqualTo(writers);
            // the clock stands still: everything lands in one bucket, over the minimum span (1 s)
            assertThat(r.requestRate()).as("r" + i).isCloseTo(writers * (reports - 1.0), within(0.01));
        }
    }

    @Test
    void malformedReportsAreRejectedNamingTheField() {
        DemandAggregator.Session s = agg.openSession();
        assertThatThrownBy(() -> agg.apply(s, report("", 1, true)))
                .hasMessageStartingWith("interceptor_id:");
        assertThatThrownBy(() -> agg.apply(s, report("ic", 0, true)))
                .hasMessageStartingWith("sequence:");
        assertThatThrownBy(() -> agg.apply(s, report("ic", 1, false)))
                .hasMessageStartingWith("full_state:");
        assertThatThrownBy(() -> agg.apply(s, report("ic", 1, true, route("r", 0, 0, 0, 0),
                route("r", 0, 0, 0, 0)))).hasMessageStartingWith("routes.route:");
        assertThatThrownBy(() -> agg.apply(s, DemandReport.newBuilder(report("ic", 1, true))
                .setIntervalMillis(0).build())).hasMessageStartingWith("interval_millis:");
        agg.apply(s, report("ic", 1, true));
        assertThatThrownBy(() -> agg.apply(s, report("other", 2, false)))
                .hasMessageStartingWith("interceptor_id: other");
    }
}
