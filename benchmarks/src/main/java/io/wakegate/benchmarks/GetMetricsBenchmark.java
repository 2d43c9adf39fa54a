package io.wakegate.benchmarks;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.wakegate.benchmarks.support.Quiet;
import io.wakegate.proto.demand.DemandGrpc;
import io.wakegate.proto.demand.DemandReport;
import io.wakegate.proto.demand.ReportAck;
import io.wakegate.proto.demand.RouteDemand;
import io.wakegate.proto.externalscaler.ExternalScalerGrpc;
import io.wakegate.proto.externalscaler.GetMetricsRequest;
import io.wakegate.proto.externalscaler.GetMetricsResponse;
import io.wakegate.proto.externalscaler.ScaledObjectRef;
import io.wakegate.scaler.ScalerServer;
import io.wakegate.scaler.aggregate.RouteStats;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of KEDA's {@code GetMetrics} on a scaler that aggregates {@code routes} routes reported by
 * {@code interceptors} interceptors (default 10,000 × 100: one million per-interceptor series).
 * The interceptors are real demand streams over loopback gRPC (one channel, one stream each); each
 * sends a full-state report and then a delta that changes every route, so every route has a
 * non-empty window. They promise a 10-minute interval, so nothing expires during a run.
 *
 * <ul>
 *   <li>{@code getMetrics}: a blocking {@code GetMetrics} call over loopback gRPC for a random route
 *       (what KEDA pays per poll, transport included);</li>
 *   <li>{@code aggregatorStats}: {@code DemandAggregator.stats} alone (the scaler's work: sum over
 *       the route's interceptors and its window, under that route's lock).</li>
 * </ul>
 *
 * <p>{@code load=fullReports} measures the same while one more interceptor keeps sending full
 * reports of every route, one after another (each waits until the previous was applied): what
 * readers pay while large reports are being applied ({@code load=none}: nothing is applied
 * during the measurement).
 *
 * <p>The setup prints how long the scaler took to apply the reports.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar GetMetrics -w 1s -r 1s -f 1 -wi 2 -i 3}.
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
@State(Scope.Benchmark)
public class GetMetricsBenchmark {

    private static final int QUERIES = 1024;

    @Param({"10000"})
    public int routes;

    @Param({"100"})
    public int interceptors;

    /** {@code none}, or {@code fullReports}: full reports applied continuously meanwhile. */
    @Param({"none", "fullReports"})
    public String load;

    private Thread loader;
    private volatile boolean loading;

    private ScalerServer scaler;
    private ManagedChannel demandChannel;
    private ManagedChannel kedaChannel;
    private final List<StreamObserver<DemandReport>> streams = new ArrayList<>();
    private ExternalScalerGrpc.ExternalScalerBlockingStub keda;
    private final GetMetricsRequest[] requests = new GetMetricsRequest[QUERIES];
    private final String[] names = new String[QUERIES];
    private int next;

    static String route(int i) {
        return "ns/model-" + i;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Quiet.logs();
        scaler = ScalerServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .kedaPort(0).demandPort(0).adminPort(-1).build().start();
        demandChannel = Grpc.newChannelBuilderForAddress("127.0.0.1", scaler.demandPort(),
                InsecureChannelCredentials.create()).maxInboundMessageSize(64 << 20).build();
        kedaChannel = Grpc.newChannelBuilderForAddress("127.0.0.1", scaler.kedaPort(),
                InsecureChannelCredentials.create()).build();
        DemandGrpc.DemandStub demand = DemandGrpc.newStub(demandChannel);
        long start = System.nanoTime();
        for (int ic = 0; ic < interceptors; ic++) {
            StreamObserver<DemandReport> stream = demand.report(new StreamObserver<ReportAck>() {
                @Override
                public void onNext(ReportAck value) {
                }

                @Override
                public void onError(Throwable t) {
                    System.err.println("demand stream failed: " + t);
                }

                @Override
                public void onCompleted() {
                }
            });
            streams.add(stream);
            stream.onNext(report(ic, 1, true, 0));
            stream.onNext(report(ic, 2, false, 1));
        }
        double reports = 2.0 * interceptors;
        while (scaler.metrics().registry().get("wakegate.scaler.reports").counter().count() < reports) {
            Thread.sleep(10);
        }
        System.out.printf("%n# scaler applied %d reports of %d routes in %.0f ms (%.1f ms per report)%n",
                (int) reports, routes, (System.nanoTime() - start) / 1e6, (System.nanoTime() - start) / 1e6 / reports);
        SplittableRandom random = new SplittableRandom(42);
        for (int q = 0; q < QUERIES; q++) {
            names[q] = route(random.nextInt(routes));
            requests[q] = GetMetricsRequest.newBuilder().setMetricName("wakegate-x-concurrency")
                    .setScaledObjectRef(ScaledObjectRef.newBuilder().setNamespace("ns").setName("model")
                            .putScalerMetadata("route", names[q]).putScalerMetadata("window", "60s").build())
                    .build();
        }
        keda = ExternalScalerGrpc.newBlockingStub(kedaChannel);
        GetMetricsResponse r = keda.getMetrics(requests[0]);
        RouteStats stats = scaler.aggregator().stats(names[0], Duration.ofSeconds(60));
        if (stats.liveInterceptors() != interceptors || r.getMetricValuesCount() != 1 || stats.requestRate() <= 0) {
            throw new IllegalStateException("scaler not loaded as expected: " + stats + " / " + r);
        }
        if (load.equals("fullReports")) {
            startLoader();
        }
    }

    /** One more interceptor sending full reports of every route back to back. */
    private void startLoader() {
        StreamObserver<DemandReport> stream = DemandGrpc.newStub(demandChannel).report(new StreamObserver<>() {
            @Override
            public void onNext(ReportAck value) {
            }

            @Override
            public void onError(Throwable t) {
                if (loading) {
                    System.err.println("load stream failed: " + t);
                }
            }

            @Override
            public void onCompleted() {
            }
        });
        streams.add(stream);
        DemandReport[] reports = {report(interceptors, 1, true, 1), report(interceptors, 1, true, 2)};
        var accepted = scaler.metrics().registry().get("wakegate.scaler.reports").counter();
        loading = true;
        loader = new Thread(() -> {
            long sequence = 1;
            int applied = 0;
            long start = System.nanoTime();
            while (loading) {
                double before = accepted.count();
                stream.onNext(reports[(int) (sequence & 1)].toBuilder().setSequence(sequence++).build());
                while (loading && accepted.count() <= before) {
                    LockSupport.parkNanos(200_000); // not a spin: the machine has few cores
                }
                applied++;
            }
            System.out.printf("%n# load: %d full reports of %d routes applied meanwhile (%.1f ms each)%n",
                    applied, routes, (System.nanoTime() - start) / 1e6 / Math.max(1, applied));
        }, "full-report-loader");
        loader.setDaemon(true);
        loader.start();
    }

    /** One interceptor's report: every route, counters advanced by {@code round}. */
    private DemandReport report(int ic, long sequence, boolean full, int round) {
        DemandReport.Builder b = DemandReport.newBuilder().setInterceptorId("bench-ic-" + ic)
                .setSequence(sequence).setIntervalMillis(600_000).setFullState(full);
        for (int i = 0; i < routes; i++) {
            b.addRoutes(RouteDemand.newBuilder().setRoute(route(i))
                    .setInFlight((i + ic) % 3 == 0 ? 1 : 0)
                    .setRequestCount(1000L + round * (1 + i % 7))
                    .setConcurrencyNanos(1_000_000_000L + round * 250_000_000L));
        }
        return b.build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        loading = false;
        if (loader != null) {
            loader.join(10_000);
        }
        for (StreamObserver<DemandReport> s : streams) {
            s.onCompleted();
        }
        demandChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        kedaChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        scaler.close();
    }

    @Benchmark
    public GetMetricsResponse getMetrics() {
        return keda.getMetrics(requests[next++ & (QUERIES - 1)]);
    }

    @Benchmark
    public RouteStats aggregatorStats() {
        return scaler.aggregator().stats(names[next++ & (QUERIES - 1)], Duration.ofSeconds(60));
    }
}
