package io.wakegate.interceptor.demand.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wakegate.proto.externalscaler.ExternalScalerGrpc;
import io.wakegate.proto.externalscaler.GetMetricsRequest;
import io.wakegate.proto.externalscaler.IsActiveResponse;
import io.wakegate.proto.externalscaler.ScaledObjectRef;
import io.wakegate.scaler.ScalerServer;
import io.wakegate.scaler.aggregate.DemandAggregator;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DemandReporter against a real scaler on loopback: the interceptor→scaler→KEDA path. */
class DemandReporterTest {

    private static final String ROUTE = "ns/llama";
    private static final Duration WINDOW = Duration.ofSeconds(2);

    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private ScalerServer scaler(String bind, int kedaPort, int demandPort) throws Exception {
        ScalerServer s = ScalerServer.builder()
                .bindAddress(InetAddress.getByName(bind))
                .kedaPort(kedaPort).demandPort(demandPort).adminPort(-1)
                .aggregation(new DemandAggregator.Settings(3, Duration.ofSeconds(6)))
                .sweepInterval(Duration.ofMillis(20))
                .shutdownGrace(Duration.ofSeconds(1))
                .build().start();
        closeables.add(s);
        return s;
    }

    private ScalerServer scaler() throws Exception {
        return scaler("127.0.0.1", 0, 0);
    }

    private DemandReporter reporter(TestDemandView view, String target, String id, Duration interval,
                                    DemandReporter.Resolver resolver, SimpleMeterRegistry registry) {
        DemandReporterSettings settings = DemandReporterSettings.of(target)
                .withInterceptorId(id)
                .withInterval(interval)
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .withResolveInterval(Duration.ofMillis(100));
        DemandReporter r = new DemandReporter(view, settings, registry, resolver);
        closeables.add(r);
        r.start();
        return r;
    }

    private DemandReporter reporter(TestDemandView view, int port, String id) {
        return reporter(view, "127.0.0.1:" + port, id, Duration.ofMillis(50),
                InetAddress::getAllByName, new SimpleMeterRegistry());
    }

    private ExternalScalerGrpc.ExternalScalerStub keda(ScalerServer s) {
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", s.kedaPort(),
                InsecureChannelCredentials.create()).build();
        closeables.add(() -> {
            ch.shutdownNow();
            ch.awaitTermination(5, TimeUnit.SECONDS);
        });
        return ExternalScalerGrpc.newStub(ch);
    }

    private static ScaledObjectRef ref(String metric) {
        return ScaledObjectRef.newBuilder().setName("llama").setNamespace("ns")
                .putScalerMetadata("route", ROUTE).putScalerMetadata("window", "2s")
                .putScalerMetadata("metric", metric).build();
    }

    private static int held(ScalerServer s) {
        return s.aggregator().stats(ROUTE, WINDOW).held();
    }

    @Test
    void reportsOfThreeInterceptorsAreSummedAndOneThatGoesAwayExpires() throws Exception {
        ScalerServer scaler = scaler();
        DemandReporter[] reporters = new DemandReporter[3];
        for (int i = 0; i < 3; i++) {
            TestDemandView view = new TestDemandView(ROUTE);
            for (int n = 0; n <= i; n++) {
                view.begin(ROUTE, true);
            }
            reporters[i] = reporter(view, scaler.demandPort(), "ic-" + i);
        }
        await().until(() -> held(scaler) == 6);
        assertThat(scaler.aggregator().liveInterceptors()).isEqualTo(3);

        reporters[2].close(); // held 3; its stream ends, and after 3 missed intervals it expires
        await().until(() -> held(scaler) == 3);
        assertThat(scaler.aggregator().liveInterceptors()).isEqualTo(2);
    }

    @Test
    void afterAScalerRestartEveryReporterReconnectsAndResendsItsFullState() throws Exception {
        ScalerServer first = scaler();
        int kedaPort = first.kedaPort();
        int demandPort = first.demandPort();
        DemandReporter[] reporters = new DemandReporter[3];
        for (int i = 0; i < 3; i++) {
            TestDemandView view = new TestDemandView(ROUTE);
            view.begin(ROUTE, true);
            reporters[i] = reporter(view, demandPort, "ic-" + i);
        }
        await().until(() -> held(first) == 3);

        first.close();
        await().until(() -> reporters[0].connectedScalers() + reporters[1].connectedScalers()
                + reporters[2].connectedScalers() == 0);
        ScalerServer second = scaler("127.0.0.1", kedaPort, demandPort);
        // nothing changed in the views: only the full state sent on each new stream gets here
        await().until(() -> held(second) == 3);
        assertThat(second.aggregator().liveInterceptors()).isEqualTo(3);
        for (DemandReporter r : reporters) {
            await().until(() -> r.connectedScalers() == 1);
        }
    }

    @Test
    void aHeldRequestProducesTrueOnAnOpenStreamIsActiveStream() throws Exception {
        ScalerServer scaler = scaler();
        TestDemandView view = new TestDemandView(ROUTE);
        // an interval far beyond the wait below: only the immediate activation report can do it
        DemandReporter reporter = reporter(view, "127.0.0.1:" + scaler.demandPort(), "ic-0",
                Duration.ofMinutes(5), InetAddress::getAllByName, new SimpleMeterRegistry());
        await().until(() -> reporter.connectedScalers() == 1);
        List<Boolean> seen = new CopyOnWriteArrayList<>();
        keda(scaler).streamIsActive(ref("concurrency"), collect(seen));
        await().until(() -> seen.size() == 1);

        view.begin(ROUTE, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
        assertThat(seen).containsExactly(false, true);
        assertThat(scaler.metrics().pushLatencyCount()).isEqualTo(1);
    }

    @Test
    void aStreamOfShortRequestsKeepsTheRouteActiveAndGivesANonZeroAverage() throws Exception {
        ScalerServer scaler = scaler();
        TestDemandView view = new TestDemandView(ROUTE);
        DemandReporter reporter = reporter(view, scaler.demandPort(), "ic-0");
        await().until(() -> reporter.connectedScalers() == 1);
        List<Boolean> seen = new CopyOnWriteArrayList<>();
        keda(scaler).streamIsActive(ref("concurrency"), collect(seen));
        await().until(() -> seen.size() == 1);

        // 20 requests a second, 10 ms each, for 1.5 s
        for (int i = 0; i < 30; i++) {
            view.begin(ROUTE, false);
            Thread.sleep(10);
            view.end(ROUTE);
            Thread.sleep(40);
        }
        assertThat(seen).as("one activation, no flapping").containsExactly(false, true);
        var blocking = ExternalScalerGrpc.newBlockingStub(
                Grpc.newChannelBuilderForAddress("127.0.0.1", scaler.kedaPort(),
                        InsecureChannelCredentials.create()).build());
        assertThat(blocking.isActive(ref("concurrency")).getResult()).isTrue();
        double concurrency = blocking.getMetrics(GetMetricsRequest.newBuilder()
                .setScaledObjectRef(ref("concurrency")).build()).getMetricValues(0).getMetricValueFloat();
        double rate = blocking.getMetrics(GetMetricsRequest.newBuilder()
                .setScaledObjectRef(ref("requestRate")).build()).getMetricValues(0).getMetricValueFloat();
        assertThat(concurrency).isGreaterThan(0.05).isLessThan(1.0); // ~0.2
        assertThat(rate).isGreaterThan(5).isLessThan(40); // ~20
        ((ManagedChannel) blocking.getChannel()).shutdownNow();
    }

    @Test
    void followsTheScalersBehindTheNameWithOneStreamPerAddress() throws Exception {
        ScalerServer a = scaler("127.0.0.1", 0, 0);
        ScalerServer b = scaler("127.0.0.2", 0, a.demandPort());
        InetAddress ipA = InetAddress.getByName("127.0.0.1");
        InetAddress ipB = InetAddress.getByName("127.0.0.2");
        AtomicReference<InetAddress[]> dns = new AtomicReference<>(new InetAddress[] {ipA});
        TestDemandView view = new TestDemandView(ROUTE);
        view.begin(ROUTE, true);
        DemandReporter reporter = reporter(view, "dns:///scaler-headless:" + a.demandPort(), "ic-0",
                Duration.ofMillis(50), host -> {
                    assertThat(host).isEqualTo("scaler-headless");
                    InetAddress[] answer = dns.get();
                    if (answer == null) {
                        throw new UnknownHostException(host);
                    }
                    return answer;
                }, new SimpleMeterRegistry());
        await().until(() -> held(a) == 1);
        assertThat(held(b)).isZero();

        dns.set(new InetAddress[] {ipA, ipB}); // a replica was added
        await().until(() -> held(b) == 1);
        assertThat(reporter.connectedScalers()).isEqualTo(2);

        dns.set(new InetAddress[] {ipB}); // a replica went away
        await().until(() -> a.aggregator().liveInterceptors() == 0);
        assertThat(reporter.scalerAddresses()).hasSize(1);

        dns.set(null); // DNS fails: keep streaming to what was resolved last
        Thread.sleep(300);
        assertThat(reporter.connectedScalers()).isEqualTo(1);
        assertThat(held(b)).isEqualTo(1);
    }

    @Test
    void aScalerThatIsDownCostsAFailureCountUntilItComesUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TestDemandView view = new TestDemandView(ROUTE);
        DemandReporter reporter = reporter(view, "127.0.0.1:" + port, "ic-0", Duration.ofMillis(50),
                InetAddress::getAllByName, registry);
        view.begin(ROUTE, true); // the activation listener only enqueues; nothing to wait for
        await().until(() -> registry.counter("wakegate.interceptor.demand.stream.failures").count() >= 2);
        assertThat(reporter.connectedScalers()).isZero();

        ScalerServer scaler = scaler("127.0.0.1", 0, port);
        await().until(() -> held(scaler) == 1);
        await().until(() -> reporter.connectedScalers() == 1);
    }

    private static StreamObserver<IsActiveResponse> collect(List<Boolean> seen) {
        return new StreamObserver<>() {
            @Override
            public void onNext(IsActiveResponse value) {
                seen.add(value.getResult());
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
