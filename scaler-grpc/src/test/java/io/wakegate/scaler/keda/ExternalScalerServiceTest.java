package io.wakegate.scaler.keda;

import static io.wakegate.scaler.Reports.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wakegate.proto.externalscaler.ExternalScalerGrpc;
import io.wakegate.proto.externalscaler.GetMetricSpecResponse;
import io.wakegate.proto.externalscaler.GetMetricsRequest;
import io.wakegate.proto.externalscaler.GetMetricsResponse;
import io.wakegate.proto.externalscaler.MetricValue;
import io.wakegate.proto.externalscaler.ScaledObjectRef;
import io.wakegate.scaler.Reports;
import io.wakegate.scaler.Reports.FakeInterceptor;
import io.wakegate.scaler.Reports.ManualTicker;
import io.wakegate.scaler.aggregate.DemandAggregator;
import io.wakegate.scaler.demand.DemandService;
import io.wakegate.scaler.metrics.ScalerMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The KEDA-facing logic over in-process gRPC, with a clock moved by hand. */
class ExternalScalerServiceTest {

    private final ManualTicker ticker = new ManualTicker();
    private final ScalerMetrics metrics = new ScalerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    private final DemandAggregator aggregator = new DemandAggregator(
            new DemandAggregator.Settings(3, Duration.ofSeconds(60)), ticker, metrics);
    private final ExternalScalerService service = new ExternalScalerService(aggregator, metrics);
    private Server server;
    private ManagedChannel channel;
    private ExternalScalerGrpc.ExternalScalerBlockingStub keda;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(service)
                .addService(new DemandService(aggregator, metrics, "scaler-test"))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        keda = ExternalScalerGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static ScaledObjectRef ref(Map<String, String> metadata) {
        return ScaledObjectRef.newBuilder().setName("llama").setNamespace("ns")
                .putAllScalerMetadata(metadata).build();
    }

    private static ScaledObjectRef ref(String route) {
        return ref(Map.of("route", route, "window", "10s"));
    }

    private MetricValue metric(ScaledObjectRef ref) {
        GetMetricsResponse r = keda.getMetrics(GetMetricsRequest.newBuilder()
                .setScaledObjectRef(ref).setMetricName("wakegate-ns-llama-concurrency").build());
        assertThat(r.getMetricValuesList()).hasSize(1);
        return r.getMetricValues(0);
    }

    @Test
    void withNoInterceptorEveryRouteIsInactiveWithZero() {
        assertThat(keda.isActive(ref("ns/llama")).getResult()).isFalse();
        MetricValue v = metric(ref("ns/llama"));
        assertThat(v.getMetricValue()).isZero();
        assertThat(v.getMetricValueFloat()).isZero();
        GetMetricSpecResponse spec = keda.getMetricSpec(ref("ns/llama"));
        assertThat(spec.getMetricSpecs(0).getMetricName()).isEqualTo("wakegate-ns-llama-concurrency");
        assertThat(spec.getMetricSpecs(0).getTargetSizeFloat()).isEqualTo(10.0);
        assertThat(spec.getMetricSpecs(0).getTargetSize()).isEqualTo(10);
    }

    @ParameterizedTest
    @CsvSource({"metric,qps", "targetValue,-3", "window,forever", "activationThreshold,x"})
    void invalidMetadataIsRejectedOnEveryCallNamingTheKey(String key, String value) {
        ScaledObjectRef bad = ref(Map.of("route", "ns/llama", key, value));
        List<Consumer<ScaledObjectRef>> calls = List.of(
                keda::isActive,
                keda::getMetricSpec,
                r -> metric(r),
                r -> keda.streamIsActive(r).next(),
                r -> keda.streamMetricSpec(r).next());
        for (Consumer<ScaledObjectRef> call : calls) {
            assertThatThrownBy(() -> call.accept(bad))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).startsWith(key + ": " + value);
                    });
        }
    }

    @Test
    void aRouteNoLiveInterceptorReportsIsRejectedNamingRoute() {
        try (FakeInterceptor ic = new FakeInterceptor(channel, "ic-1")) {
            ic.send(route("ns/other", 0, 0, 0, 0));
            assertThatThrownBy(() -> keda.isActive(ref("ns/llama")))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).startsWith("route: ns/llama");
                    });
            assertThat(keda.isActive(ref("ns/other")).getResult()).isFalse();
        }
    }

    @Test
    void getMetricsFillsTheIntAndTheFloatValue() {
        try (FakeInterceptor ic = new FakeInterceptor(channel, "ic-1")) {
            ic.send(route("ns/llama", 0, 3, 0, 0));
            ticker.advanceMillis(2000);
            ic.send(route("ns/llama", 0, 3, 0, 6_000_000_000L)); // 3 for 2 s
            MetricValue v = metric(ref("ns/llama"));
            assertThat(v.getMetricValueFloat()).isEqualTo(3.0);
            assertThat(v.getMetricValue()).isEqualTo(3);
            assertThat(v.getMetricName()).isEqualTo("wakegate-ns-llama-concurrency");
        }
    }

    @Test
    void streamIsActiveSendsTheStateOnOpenThenOnlyTransitions() {
        List<Boolean> seen = new CopyOnWriteArrayList<>();
        try (FakeInterceptor ic = new FakeInterceptor(channel, "ic-1")) {
            ic.send(route("ns/llama", 0, 0, 0, 0));
            ExternalScalerGrpc.newStub(channel).streamIsActive(ref("ns/llama"), Reports.collect(seen, new AtomicBoolean()));
            await().until(() -> seen.size() == 1);
            assertThat(seen).containsExactly(false);

            // a held request: pushed by the report itself, no re-evaluation tick involved
            ic.send(route("ns/llama", 1, 0, 1, 0));
            assertThat(seen).containsExactly(false, true);
            for (int i = 1; i <= 5; i++) {
                ticker.advanceMillis(100);
                ic.send(route("ns/llama", 0, 1, 1, i * 100_000_000L));
                service.reevaluate();
            }
            ic.send(route("ns/llama", 0, 0, 1, 550_000_000L)); // demand ended
            service.reevaluate();
            assertThat(seen).as("still active: a request within the window").containsExactly(false, true);

            ticker.advanceMillis(11_000); // the window no longer holds the request
            service.reevaluate();
            service.reevaluate();
            assertThat(seen).containsExactly(false, true, false);
            assertThat(metrics.activationPushCount()).isEqualTo(1);
            assertThat(metrics.pushLatencyCount()).isEqualTo(1);
        }
    }

    @Test
    void streamMetricSpecSendsTheSpecOnOpenAndCompletesOnShutdown() {
        List<GetMetricSpecResponse> specs = new CopyOnWriteArrayList<>();
        boolean[] completed = {false};
        ExternalScalerGrpc.newStub(channel).streamMetricSpec(
                ref(Map.of("route", "ns/llama", "metric", "requestRate", "targetValue", "2.5")),
                new StreamObserver<>() {
                    @Override
                    public void onNext(GetMetricSpecResponse value) {
                        specs.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        completed[0] = true;
                    }
                });
        await().until(() -> specs.size() == 1);
        assertThat(specs.get(0).getMetricSpecs(0).getMetricName()).isEqualTo("wakegate-ns-llama-request-rate");
        assertThat(specs.get(0).getMetricSpecs(0).getTargetSizeFloat()).isEqualTo(2.5);
        assertThat(specs.get(0).getMetricSpecs(0).getTargetSize()).isEqualTo(3);
        service.completeStreams();
        await().until(() -> completed[0]);
        assertThat(specs).hasSize(1);
    }
}
