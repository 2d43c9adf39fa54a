package io.wakegate.interceptor.forward;

import static io.wakegate.interceptor.testing.Interceptors.awaitCountersZero;
import static io.wakegate.interceptor.testing.Interceptors.awaitHeld;
import static io.wakegate.interceptor.testing.Interceptors.demand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Attributes;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.Context;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.stub.StreamObserver;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.wakegate.interceptor.testing.TestBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * h2c with prior knowledge (what gRPC clients send) through Wakegate: a real gRPC server behind
 * it, a real gRPC client in front, plaintext. HTTP/1.1 behaviour is covered by the rest of the suite.
 */
class H2cTest {

    private final Fixture f = new Fixture();
    private final AtomicInteger backendConnections = new AtomicInteger();
    private Server backend;
    private ManagedChannel channel;

    @BeforeEach
    void startBackend() throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("", ServingStatus.SERVING);
        backend = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(health.getHealthService())
                .addTransportFilter(new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes attributes) {
                        backendConnections.incrementAndGet();
                        return attributes;
                    }
                })
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        f.close();
        backend.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private HealthGrpc.HealthBlockingStub client(InterceptorServer wakegate) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", wakegate.proxyAddress().getPort()).usePlaintext().build();
        return HealthGrpc.newBlockingStub(channel);
    }

    private static ServingStatus check(HealthGrpc.HealthBlockingStub stub) {
        return stub.withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    @Test
    void warmCallsShareOneTunnelledConnection() throws Exception {
        InterceptorServer wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("grpc", "/", null));
        f.sources.get("grpc").ready(backend.getPort());
        HealthGrpc.HealthBlockingStub stub = client(wakegate);

        for (int i = 0; i < 3; i++) {
            assertThat(check(stub)).isEqualTo(ServingStatus.SERVING);
        }
        assertThat(backendConnections).hasValue(1);
        awaitCountersZero(wakegate); // an open connection without an active call is no request in flight

        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        awaitCountersZero(wakegate);
        assertThat(demand(wakegate, "grpc").requestCount()).isEqualTo(1);
    }

    @Test
    void activeStreamsCountAsRequestsInFlightAndAnIdleConnectionAsNone() throws Exception {
        InterceptorServer wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("grpc", "/", null));
        f.sources.get("grpc").ready(backend.getPort());
        assertThat(check(client(wakegate))).isEqualTo(ServingStatus.SERVING);
        await().atMost(Duration.ofSeconds(10)).until(() -> demand(wakegate, "grpc").inFlight() == 0);

        // Three server-streaming calls at once on the same connection: three requests in flight.
        HealthGrpc.HealthStub async = HealthGrpc.newStub(channel);
        List<Context.CancellableContext> calls = new ArrayList<>();
        List<ServingStatus> seen = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            Context.CancellableContext call = Context.current().withCancellation();
            calls.add(call);
            call.run(() -> async.watch(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
                @Override
                public void onNext(HealthCheckResponse value) {
                    seen.add(value.getStatus());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
        assertThat(demand(wakegate, "grpc").inFlight()).isEqualTo(3);
        assertThat(backendConnections).hasValue(1);

        calls.forEach(c -> c.cancel(null)); // RST_STREAM each; the connection stays open
        await().atMost(Duration.ofSeconds(10)).until(() -> demand(wakegate, "grpc").inFlight() == 0);
        assertThat(wakegate.routes().current().routes().get("grpc").gate().heldCount()).isZero();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        awaitCountersZero(wakegate);
    }

    @Test
    void callAtAColdRouteIsHeldUntilTheEndpointIsReady() throws Exception {
        InterceptorServer wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("grpc", "/", null));
        HealthGrpc.HealthBlockingStub stub = client(wakegate);

        CompletableFuture<ServingStatus> call = CompletableFuture.supplyAsync(() -> check(stub));
        awaitHeld(wakegate, "grpc", 1);
        assertThat(f.sources.get("grpc").wakes()).isGreaterThanOrEqualTo(1);
        assertThat(call).isNotDone();
        assertThat(backendConnections).hasValue(0);

        f.sources.get("grpc").ready(backend.getPort());
        assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
        assertThat(check(stub)).isEqualTo(ServingStatus.SERVING);
        assertThat(backendConnections).hasValue(1);

        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        awaitCountersZero(wakegate);
    }

    @Test
    void unknownAuthorityGetsNotFoundRatherThanAHang() throws Exception {
        InterceptorServer wakegate = f.startManual("""
                routes:
                  - name: grpc
                    match: {hosts: [models.example], pathPrefixes: [/]}
                    backend: {static: {urls: ["http://127.0.0.1:9"]}}
                """);
        f.sources.get("grpc").ready(backend.getPort());
        HealthGrpc.HealthBlockingStub stub = client(wakegate); // authority 127.0.0.1:port

        assertThatThrownBy(() -> check(stub))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).contains("no-route");
                });
        assertThat(backendConnections).hasValue(0);
        assertThat(Interceptors.admin(wakegate, "/metrics").body())
                .contains("wakegate_interceptor_rejections_total{reason=\"no-route\",route=\"none\"} 1.0");
    }

    @Test
    void coldStartTimeoutIsAnsweredUnavailableInHttp2() throws Exception {
        InterceptorServer wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("grpc", "/",
                "hold: {coldStartTimeout: 300ms}"));
        HealthGrpc.HealthBlockingStub stub = client(wakegate);

        assertThatThrownBy(() -> check(stub))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).contains("cold-start-timeout");
                    assertThat(e.getTrailers().get(Metadata.Key.of("x-wakegate-cold-start",
                            Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("true");
                });
        awaitCountersZero(wakegate);
        assertThat(Interceptors.admin(wakegate, "/metrics").body())
                .contains("wakegate_interceptor_rejections_total{reason=\"cold-start-timeout\",route=\"grpc\"} 1.0");
        // the rejected connection is closed, and a new one is tried once the route is warm
        f.sources.get("grpc").ready(backend.getPort());
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> check(stub) == ServingStatus.SERVING);
    }

    @Test
    void http11RequestSplitInsideThePrefaceLengthIsPassedOnUntouched() throws Exception {
        TestBackend http = f.backend("b1");
        InterceptorServer wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", null));
        f.sources.get("api").ready(http.port());
        try (Socket socket = new Socket("127.0.0.1", wakegate.proxyAddress().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("P".getBytes(StandardCharsets.US_ASCII)); // a prefix of the HTTP/2 preface, for now
            out.flush();
            Thread.sleep(100);
            out.write("OST /split HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("b1 POST /split");
        }
        awaitCountersZero(wakegate);
    }

    @Test
    void onlyTheClientsFirstSettingsAckIsDropped() {
        ByteBuf preface = Unpooled.copiedBuffer("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", StandardCharsets.US_ASCII);
        byte[] settings = {0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100};
        byte[] ack = {0, 0, 0, 4, 1, 0, 0, 0, 0};
        byte[] ping = {0, 0, 8, 6, 0, 0, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0}; // payload 0x04 0 0 0 1...: not a frame
        ByteBuf in = Unpooled.buffer().writeBytes(preface).writeBytes(settings).writeBytes(ack).writeBytes(ping)
                .writeBytes(ack);
        ByteBuf expected = Unpooled.buffer().writeBytes(preface.resetReaderIndex()).writeBytes(settings)
                .writeBytes(ping).writeBytes(ack);
        EmbeddedChannel ch = new EmbeddedChannel(new SettingsAckFilter());
        while (in.isReadable()) {
            ch.writeInbound(in.readRetainedSlice(1)); // one byte at a time: headers split across reads
        }
        in.release();
        ByteBuf got = Unpooled.buffer();
        for (ByteBuf b; (b = ch.readInbound()) != null; ) {
            got.writeBytes(b);
            b.release();
        }
        assertThat(ByteBufUtil.hexDump(got)).isEqualTo(ByteBufUtil.hexDump(expected));
        assertThat(ch.pipeline().get(SettingsAckFilter.class)).isNull();
        got.release();
        expected.release();
        preface.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
