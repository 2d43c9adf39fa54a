package io.wakegate.interceptor;

import static io.wakegate.interceptor.testing.Interceptors.admin;
import static io.wakegate.interceptor.testing.Interceptors.awaitHeld;
import static io.wakegate.interceptor.testing.Interceptors.demand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.config.ServerConfig;
import io.wakegate.interceptor.config.WakegateConfig;
import io.wakegate.interceptor.demand.RouteDemand;
import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LogCapture;
import io.wakegate.interceptor.testing.TestBackend;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lifecycle of a running interceptor: graceful shutdown, route reloads, the admin endpoints. */
class InterceptorServerTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    @Test
    void gracefulShutdownDrainsInFlightRequestsAndAnswersStillHeldOnes503() throws Exception {
        TestBackend backend = f.backend("b1");
        InterceptorServer server = f.startManual("shutdown: {readinessDelay: 300ms, drainTimeout: 2s}\nroutes:\n"
                + Interceptors.manualRoute("api", "/slow", null) + Interceptors.manualRoute("cold", "/cold", null));
        f.sources.get("api").ready(backend.port());
        assertThat(admin(server, "/readyz").statusCode()).isEqualTo(200);

        CompletableFuture<HttpResponse<String>> inFlight = f.get("/slow?ms=1200");
        await().atMost(Duration.ofSeconds(10)).until(() -> demand(server, "api").inFlight() == 1);
        CompletableFuture<HttpResponse<String>> held = f.get("/cold/x");
        awaitHeld(server, "cold", 1);

        Thread shutdown = new Thread(server::shutdown, "shutdown");
        shutdown.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> admin(server, "/readyz").statusCode() == 503);
        assertThat(inFlight).isNotDone();

        HttpResponse<String> completed = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(completed.statusCode()).isEqualTo(200);
        assertThat(completed.body()).isEqualTo("slow 1200");
        assertThat(completed.headers().firstValue("connection")).hasValue("close");

        HttpResponse<String> refused = held.get(10, TimeUnit.SECONDS);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("x-wakegate-reason")).hasValue("shutting-down");
        shutdown.join(10_000);
        assertThat(shutdown.isAlive()).isFalse();

        for (RouteDemand d : server.demand().snapshot()) {
            assertThat(d.held()).isZero();
            assertThat(d.inFlight()).isZero();
        }
    }

    @Test
    void reloadKeepsHeldRequestsAndAppliesNewRoutes() throws Exception {
        TestBackend backend = f.backend("b1");
        InterceptorServer server = f.startManual("routes:\n"
                + Interceptors.manualRoute("a", "/a", null) + Interceptors.manualRoute("gone", "/gone", null));
        CompletableFuture<HttpResponse<String>> heldOnA = f.get("/a/1");
        awaitHeld(server, "a", 1);
        CompletableFuture<HttpResponse<String>> heldOnGone = f.get("/gone/1");
        awaitHeld(server, "gone", 1);
        assertThat(f.get("/b/1").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(404);

        server.reload(Interceptors.config("routes:\n"
                + Interceptors.manualRoute("a", "/a", null) + Interceptors.manualRoute("b", "/b", null)));

        HttpResponse<String> removed = heldOnGone.get(10, TimeUnit.SECONDS);
        assertThat(removed.statusCode()).isEqualTo(503);
        assertThat(removed.headers().firstValue("x-wakegate-reason")).hasValue("route-removed");
        assertThat(demand(server, "a").held()).isEqualTo(1);
        assertThat(heldOnA).isNotDone();

        f.sources.get("b").ready(backend.port());
        HttpResponse<String> onB = f.get("/b/1").get(10, TimeUnit.SECONDS);
        assertThat(onB.statusCode()).isEqualTo(200);
        assertThat(onB.body()).isEqualTo("b1 GET /b/1");

        f.sources.get("a").ready(backend.port());
        assertThat(heldOnA.get(10, TimeUnit.SECONDS).body()).isEqualTo("b1 GET /a/1");
        Interceptors.awaitCountersZero(server);
        // The removed route is reported at zero for a grace, then forgotten.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(server.demand().snapshot()).extracting(RouteDemand::route).doesNotContain("gone"));
    }

    @Test
    void metricsCountRequestsByStatusClassRejectionsByReasonAndHeldRequests() throws Exception {
        TestBackend backend = f.backend("b1");
        InterceptorServer server = f.startManual("routes:\n"
                + Interceptors.manualRoute("api", "/api, /status", null) + Interceptors.manualRoute("cold", "/cold", null));
        f.sources.get("api").ready(backend.port());

        assertThat(f.get("/api/ok").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(f.get("/status/503").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
        assertThat(f.get("/nowhere").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(404);
        CompletableFuture<HttpResponse<String>> held = f.get("/cold/x");
        awaitHeld(server, "cold", 1);

        assertThat(admin(server, "/healthz").statusCode()).isEqualTo(200);
        String metrics = admin(server, "/metrics").body();
        assertThat(metrics)
                .contains("wakegate_interceptor_requests_total{route=\"api\",status_class=\"2xx\"} 1.0")
                .contains("wakegate_interceptor_requests_total{route=\"api\",status_class=\"5xx\"} 1.0")
                .contains("wakegate_interceptor_rejections_total{reason=\"no-route\",route=\"none\"} 1.0")
                .contains("wakegate_interceptor_held_requests{route=\"cold\"} 1.0")
                .contains("wakegate_interceptor_inflight_requests{route=\"api\"} 0.0")
                .contains("wakegate_interceptor_hold_duration_seconds")
                .contains("wakegate_interceptor_request_duration_seconds");
        String queue = admin(server, "/queue").body();
        assertThat(queue).contains("\"route\" : \"cold\"").contains("\"held\" : 1").contains("\"heldTotal\" : 1");

        f.sources.get("cold").ready(backend.port());
        assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        Interceptors.awaitCountersZero(server);
        metrics = admin(server, "/metrics").body();
        assertThat(metrics)
                .contains("wakegate_interceptor_held_requests{route=\"cold\"} 0.0")
                .contains("wakegate_interceptor_requests_total{route=\"cold\",status_class=\"2xx\"} 1.0")
                .contains("wakegate_interceptor_cold_starts_total{route=\"cold\"} 1.0");
    }

    @Test
    void aListenerPortInUseIsAProblemNamingTheFieldTheAddressAndTheReason() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> InterceptorServer.start(withServer(new ServerConfig("127.0.0.1", port,
                    "127.0.0.1", 0))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("server.port: 127.0.0.1:" + port + " cannot be bound: Address already in use"
                            + " (expected: a free port on a local address; 0 picks one)");
            assertThatThrownBy(() -> InterceptorServer.start(withServer(new ServerConfig("127.0.0.1", 0,
                    "127.0.0.1", port))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("server.adminPort: 127.0.0.1:" + port + " cannot be bound: ");
        }
    }

    private static WakegateConfig withServer(ServerConfig server) {
        WakegateConfig c = Interceptors.config("routes: []\n");
        return new WakegateConfig(server, c.limits(), c.forwarding(), c.shutdown(), c.routes());
    }

    @Test
    void shutdownLogsDurationsTheWayTheConfigurationWritesThem() throws Exception {
        InterceptorServer server = f.startManual("shutdown: {readinessDelay: 0s, drainTimeout: 1500ms}\nroutes: []\n");
        try (LogCapture logs = new LogCapture()) {
            server.shutdown();
            assertThat(logs.containing("shutting down")).containsExactly(
                    "INFO shutting down: readiness off, listener closes in 0s, drain up to 1500ms");
        }
    }
}
