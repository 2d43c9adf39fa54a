package io.wakegate.interceptor.demand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.ManualEndpointSource;
import io.wakegate.interceptor.testing.TestBackend;
import io.wakegate.proto.externalscaler.ExternalScalerGrpc;
import io.wakegate.proto.externalscaler.IsActiveResponse;
import io.wakegate.proto.externalscaler.ScaledObjectRef;
import io.wakegate.scaler.ScalerServer;
import io.wakegate.scaler.aggregate.DemandAggregator;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The interceptor configured with a {@code scaler:} section pushes demand to a real scaler: a
 * request held at a cold route shows up as {@code true} on KEDA's StreamIsActive, and the end
 * of demand as {@code false}.
 */
class DemandReachesScalerTest {

    private ScalerServer scaler;
    private InterceptorServer wakegate;
    private TestBackend backend;
    private ManagedChannel keda;

    @AfterEach
    void stop() throws Exception {
        if (keda != null) {
            keda.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (wakegate != null) {
            wakegate.close();
        }
        if (scaler != null) {
            scaler.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void heldRequestActivatesTheRouteOnStreamIsActiveAndItsEndDeactivatesIt() throws Exception {
        scaler = ScalerServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .kedaPort(0).demandPort(0).adminPort(-1).sweepInterval(Duration.ofMillis(50))
                // a 6 s longest window makes 100 ms buckets, so the 1 s window empties quickly
                .aggregation(new DemandAggregator.Settings(3, Duration.ofSeconds(6)))
                .build().start();
        backend = TestBackend.start("model");
        ManualEndpointSource source = new ManualEndpointSource();
        wakegate = Interceptors.start("""
                scaler:
                  address: 127.0.0.1:%d
                  reportInterval: 100ms
                routes:
                  - name: ns/llama
                    match: {pathPrefixes: [/]}
                    backend: {static: {urls: [http://127.0.0.1:1]}}
                """.formatted(scaler.demandPort()), (route, config) -> source);

        keda = Grpc.newChannelBuilderForAddress("127.0.0.1", scaler.kedaPort(), InsecureChannelCredentials.create())
                .build();
        List<Boolean> seen = new CopyOnWriteArrayList<>();
        ScaledObjectRef ref = ScaledObjectRef.newBuilder().setName("llama").setNamespace("ns")
                .putScalerMetadata("route", "ns/llama").putScalerMetadata("window", "1s").build();
        ExternalScalerGrpc.newStub(keda).streamIsActive(ref, new StreamObserver<>() {
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
        });
        await().until(() -> !seen.isEmpty());
        assertThat(seen).containsExactly(false);

        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> response = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wakegate.proxyAddress().getPort() + "/v1"))
                        .build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(true));
        assertThat(response).isNotDone(); // still held: the activation came from the held request

        source.ready(backend.port());
        assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
        assertThat(seen).containsExactly(false, true, false);
    }
}
