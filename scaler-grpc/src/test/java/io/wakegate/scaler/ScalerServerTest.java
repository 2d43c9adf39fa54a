package io.wakegate.scaler;

import static io.wakegate.scaler.Reports.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.wakegate.proto.externalscaler.ExternalScalerGrpc;
import io.wakegate.proto.externalscaler.GetMetricsRequest;
import io.wakegate.proto.externalscaler.ScaledObjectRef;
import io.wakegate.scaler.Reports.FakeInterceptor;
import io.wakegate.scaler.aggregate.DemandAggregator;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scaler as a process would run it: real Netty servers on loopback. */
class ScalerServerTest {

    private static final ScaledObjectRef LLAMA = ScaledObjectRef.newBuilder()
            .setName("llama").setNamespace("ns").putScalerMetadata("route", "ns/llama").build();

    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private ScalerServer start(ScalerServer.Builder b) throws Exception {
        ScalerServer server = b.kedaPort(0).demandPort(0).adminPort(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .sweepInterval(Duration.ofMillis(20))
                .shutdownGrace(Duration.ofSeconds(2))
                .aggregation(new DemandAggregator.Settings(3, Duration.ofSeconds(6)))
                .build().start();
        closeables.add(server);
        return server;
    }

    private ManagedChannel channel(int port, ChannelCredentials creds) {
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("localhost", port, creds).build();
        closeables.add(() -> {
            ch.shutdownNow();
            ch.awaitTermination(5, TimeUnit.SECONDS);
        });
        return ch;
    }

    private static ServingStatus health(ManagedChannel ch, String service) {
        return HealthGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void notServingAndInactiveUntilTheFirstReportThenServing() throws Exception {
        ScalerServer server = start(ScalerServer.builder());
        ManagedChannel keda = channel(server.kedaPort(), InsecureChannelCredentials.create());
        var stub = ExternalScalerGrpc.newBlockingStub(keda).withDeadlineAfter(5, TimeUnit.SECONDS);

        assertThat(health(keda, "")).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(health(keda, ScalerServer.SCALER_SERVICE)).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(stub.isActive(LLAMA).getResult()).isFalse();
        assertThat(stub.getMetrics(GetMetricsRequest.newBuilder().setScaledObjectRef(LLAMA).build())
                .getMetricValues(0).getMetricValueFloat()).isZero();
        assertThat(get(server.adminPort(), "/readyz").statusCode()).isEqualTo(503);
        assertThat(get(server.adminPort(), "/healthz").statusCode()).isEqualTo(200);

        ManagedChannel demand = channel(server.demandPort(), InsecureChannelCredentials.create());
        FakeInterceptor ic = new FakeInterceptor(demand, "ic-1").send(route("ns/llama", 2, 0, 2, 0));
        await().until(() -> ic.acks.size() == 1);
        assertThat(ic.acks.get(0).getScalerId()).isEqualTo(server.scalerId());
        assertThat(ic.acks.get(0).getSequence()).isEqualTo(1);
        assertThat(health(keda, "")).isEqualTo(ServingStatus.SERVING);
        assertThat(stub.isActive(LLAMA).getResult()).isTrue();
        assertThat(get(server.adminPort(), "/readyz").statusCode()).isEqualTo(200);
        String metrics = get(server.adminPort(), "/metrics").body();
        assertThat(metrics).contains("wakegate_scaler_reports_total 1.0",
                "wakegate_scaler_interceptors 1.0", "wakegate_scaler_demand_streams 1.0");
    }

    @Test
    void aMalformedReportEndsTheStreamWithInvalidArgument() throws Exception {
        ScalerServer server = start(ScalerServer.builder());
        ManagedChannel demand = channel(server.demandPort(), InsecureChannelCredentials.create());
        FakeInterceptor ic = new FakeInterceptor(demand, "ic-1");
        ic.sendRaw(Reports.report("ic-1", 1, false, route("ns/llama", 1, 0, 1, 0)));
        await().until(() -> ic.error.get() != null);
        assertThat(Status.fromThrowable(ic.error.get()).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Status.fromThrowable(ic.error.get()).getDescription()).startsWith("full_state:");
        assertThat(get(server.adminPort(), "/metrics").body())
                .contains("wakegate_scaler_errors_total{kind=\"invalid_report\"} 1.0");
    }

    @Test
    void shutdownCompletesOpenStreamsAndGoesNotServing() throws Exception {
        ScalerServer server = start(ScalerServer.builder());
        ManagedChannel keda = channel(server.kedaPort(), InsecureChannelCredentials.create());
        AtomicBoolean completed = new AtomicBoolean();
        List<Boolean> seen = new CopyOnWriteArrayList<>();
        ExternalScalerGrpc.newStub(keda).streamIsActive(LLAMA, Reports.collect(seen, completed));
        await().until(() -> seen.size() == 1);
        server.close();
        await().untilTrue(completed);
        assertThat(seen).containsExactly(false);
    }

    @Test
    void tlsServesClientsThatTrustTheServerCertificate(@TempDir Path dir) throws Exception {
        TestCerts certs = new TestCerts(dir);
        ScalerServer server = start(ScalerServer.builder()
                .tls(new ScalerTls(certs.serverCert, certs.serverKey, null)));
        ManagedChannel trusted = channel(server.kedaPort(),
                TlsChannelCredentials.newBuilder().trustManager(certs.caCert.toFile()).build());
        assertThat(ExternalScalerGrpc.newBlockingStub(trusted).isActive(LLAMA).getResult()).isFalse();

        ManagedChannel untrusted = channel(server.kedaPort(),
                TlsChannelCredentials.newBuilder().trustManager(certs.otherCaCert.toFile()).build());
        assertUnavailable(untrusted);
        ManagedChannel plaintext = channel(server.kedaPort(), InsecureChannelCredentials.create());
        assertUnavailable(plaintext);
    }

    @Test
    void mutualTlsRequiresAClientCertificateFromTheConfiguredCa(@TempDir Path dir) throws Exception {
        TestCerts certs = new TestCerts(dir);
        ScalerServer server = start(ScalerServer.builder()
                .tls(new ScalerTls(certs.serverCert, certs.serverKey, certs.caCert)));
        ManagedChannel withCert = channel(server.kedaPort(), TlsChannelCredentials.newBuilder()
                .trustManager(certs.caCert.toFile())
                .keyManager(certs.clientCert.toFile(), certs.clientKey.toFile()).build());
        assertThat(ExternalScalerGrpc.newBlockingStub(withCert).isActive(LLAMA).getResult()).isFalse();
        FakeInterceptor ic = new FakeInterceptor(channel(server.demandPort(), TlsChannelCredentials.newBuilder()
                .trustManager(certs.caCert.toFile())
                .keyManager(certs.clientCert.toFile(), certs.clientKey.toFile()).build()), "ic-1")
                .send(route("ns/llama", 1, 0, 1, 0));
        await().until(() -> ic.acks.size() == 1);

        ManagedChannel withoutCert = channel(server.kedaPort(),
                TlsChannelCredentials.newBuilder().trustManager(certs.caCert.toFile()).build());
        assertUnavailable(withoutCert);
    }

    private static void assertUnavailable(ManagedChannel ch) {
        assertThatThrownBy(() -> ExternalScalerGrpc.newBlockingStub(ch)
                .withDeadlineAfter(5, TimeUnit.SECONDS).isActive(LLAMA))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }
}
