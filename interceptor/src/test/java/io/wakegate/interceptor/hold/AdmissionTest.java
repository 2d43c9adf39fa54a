package io.wakegate.interceptor.hold;

import static io.wakegate.interceptor.testing.Interceptors.awaitCountersZero;
import static io.wakegate.interceptor.testing.Interceptors.awaitHeld;
import static io.wakegate.interceptor.testing.Interceptors.base;
import static io.wakegate.interceptor.testing.Interceptors.demand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.Interceptors.ManualSources;
import io.wakegate.interceptor.testing.TestBackend;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which ready endpoint an admitted request goes to, and what happens when it cannot be reached. */
class AdmissionTest {

    private final Fixture f = new Fixture();
    private final ManualSources sources = f.sources;
    private InterceptorServer wakegate;

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private TestBackend backend(String name) throws InterruptedException {
        return f.backend(name);
    }

    private CompletableFuture<HttpResponse<String>> get(String path) {
        return f.get(path);
    }

    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void perEndpointConcurrencyCapIsRespectedAndExcessWaitsInOrder() throws Exception {
        TestBackend backend = backend("b1");
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/",
                "maxConcurrencyPerEndpoint: 1"));
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            responses.add(get("/slow?ms=50&i=" + i));
            awaitHeld(wakegate, "api", i + 1); // arrival order is the order they queue in
        }
        sources.get("api").ready(backend.port());
        for (CompletableFuture<HttpResponse<String>> r : responses) {
            assertThat(r.get(15, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(backend.maxConcurrent()).isEqualTo(1);
        assertThat(backend.seenUris()).containsExactly("/slow?ms=50&i=0", "/slow?ms=50&i=1", "/slow?ms=50&i=2",
                "/slow?ms=50&i=3", "/slow?ms=50&i=4");
        awaitCountersZero(wakegate);
    }

    @Test
    void perEndpointCapOfTwoLetsTwoThrough() throws Exception {
        TestBackend backend = backend("b1");
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/",
                "maxConcurrencyPerEndpoint: 2"));
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            responses.add(get("/slow?ms=200&i=" + i));
        }
        awaitHeld(wakegate, "api", 6);
        sources.get("api").ready(backend.port());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(demand(wakegate, "api").inFlight()).isEqualTo(2);
            assertThat(demand(wakegate, "api").held()).isEqualTo(4);
        });
        for (CompletableFuture<HttpResponse<String>> r : responses) {
            assertThat(r.get(15, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(backend.maxConcurrent()).isEqualTo(2);
        assertThat(backend.requests()).isEqualTo(6);
        awaitCountersZero(wakegate);
    }

    @Test
    void leastLoadedEndpointSpreadsRequestsOverTwoEndpoints() throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", null));
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            responses.add(get("/slow?ms=300&i=" + i));
        }
        awaitHeld(wakegate, "api", 10);
        sources.get("api").ready(a.port(), b.port());
        for (CompletableFuture<HttpResponse<String>> r : responses) {
            assertThat(r.get(15, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(a.requests()).isEqualTo(5);
        assertThat(b.requests()).isEqualTo(5);
        awaitCountersZero(wakegate);
        assertThat(wakegate.routes().current().routes().get("api").gate().readyEndpoints())
                .allSatisfy(e -> assertThat(e.outstanding()).isZero());
    }

    @Test
    void connectFailureRetriesAnotherReadyEndpoint() throws Exception {
        TestBackend live = backend("live");
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", null));
        sources.get("api").ready(deadPort(), live.port()); // the dead one is first: picked first

        HttpResponse<String> r = get("/retry").get(15, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("live GET /retry");
        assertThat(sources.get("api").connectFailures()).isEqualTo(1);
        assertThat(live.requests()).isEqualTo(1);
        awaitCountersZero(wakegate);
        assertThat(wakegate.routes().current().routes().get("api").gate().readyEndpoints())
                .allSatisfy(e -> assertThat(e.outstanding()).isZero());
    }

    @Test
    void aRefusedConnectHoldsTheRequestAgainUntilAnEndpointIsReady() throws Exception {
        int port = deadPort(); // the backend crashed and its source has not noticed yet
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", null));
        sources.get("api").ready(port);

        CompletableFuture<HttpResponse<String>> response = get("/after-crash");
        awaitHeld(wakegate, "api", 1);
        assertThat(wakegate.routes().current().routes().get("api").gate().readyEndpoints())
                .as("a refused endpoint is not ready").isEmpty();
        assertThat(response).isNotDone();

        TestBackend restarted = f.closeLater(TestBackend.start("restarted", port));
        sources.get("api").ready(port);
        HttpResponse<String> r = response.get(15, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("restarted GET /after-crash");
        assertThat(r.headers().firstValue("x-wakegate-cold-start")).hasValue("true");
        assertThat(restarted.requests()).isEqualTo(1);
        awaitCountersZero(wakegate);
    }

    @Test
    void noReachableEndpointAnswers502ConnectFailed() throws Exception {
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", null));
        int dead1 = deadPort();
        int dead2 = deadPort();
        sources.get("api").ready(dead1, dead2);

        CompletableFuture<HttpResponse<String>> response = get("/nowhere");
        awaitHeld(wakegate, "api", 1); // both refused: held again once, for an endpoint that is ready
        sources.get("api").ready(dead1, dead2); // reported ready again, and refusing again
        HttpResponse<String> r = response.get(15, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.headers().firstValue("x-wakegate-reason")).hasValue("connect-failed");
        assertThat(r.body()).contains("\"reason\":\"connect-failed\"");
        // Each attempt goes to another endpoint than the last; three attempts at most per round.
        assertThat(sources.get("api").connectFailures()).isBetween(4, 6);
        awaitCountersZero(wakegate);
        assertThat(wakegate.routes().current().routes().get("api").gate().readyEndpoints())
                .allSatisfy(e -> assertThat(e.outstanding()).isZero());
    }
}
