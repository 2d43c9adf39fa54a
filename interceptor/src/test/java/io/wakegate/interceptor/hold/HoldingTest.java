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
import io.wakegate.interceptor.testing.RawHttp;
import io.wakegate.interceptor.testing.ReservedPort;
import io.wakegate.interceptor.testing.TestBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Holding requests while a route is cold, and releasing or rejecting them. */
class HoldingTest {

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

    @Test
    void heldRequestIsReleasedWhenBackendBecomesReady() throws Exception {
        TestBackend backend = backend("b1");
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", null));

        CompletableFuture<HttpResponse<String>> response = get("/hello");
        awaitHeld(wakegate, "api", 1);
        assertThat(response).isNotDone();
        assertThat(sources.get("api").wakes()).isGreaterThanOrEqualTo(1);
        assertThat(backend.requests()).isZero();

        sources.get("api").ready(backend.port());

        HttpResponse<String> r = response.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("b1 GET /hello");
        assertThat(r.headers().firstValue("x-wakegate-cold-start")).hasValue("true");
        awaitCountersZero(wakegate);
        assertThat(demand(wakegate, "api").requestCount()).isEqualTo(1);
    }

    @Test
    void heldRequestIsReleasedWhenStaticBackendStartsLater() throws Exception {
        ReservedPort reserved = f.closeLater(new ReservedPort()); // refuses connects until the backend takes it
        int port = reserved.port();
        wakegate = f.startStatic("routes:\n"
                + Interceptors.staticRoute("api", "/", "http://127.0.0.1:" + port, null));

        CompletableFuture<HttpResponse<String>> response = get("/late");
        awaitHeld(wakegate, "api", 1);
        Thread.sleep(300); // a few probe rounds fail while nothing listens
        assertThat(response).isNotDone();

        reserved.close();
        TestBackend late = f.closeLater(TestBackend.start("late", port));

        HttpResponse<String> r = response.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("late GET /late");
        assertThat(r.headers().firstValue("x-wakegate-cold-start")).hasValue("true");
        awaitCountersZero(wakegate);
    }

    @Test
    void heldRequestBodiesAreForwardedWholeOnceReleased() throws Exception {
        TestBackend backend = backend("b1");
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", null));
        String small = "x".repeat(1000);
        String large = "y".repeat(300 * 1024); // beyond what is read ahead while held
        CompletableFuture<HttpResponse<String>> first = f.client.sendAsync(f.request("/discard")
                .POST(HttpRequest.BodyPublishers.ofString(small)).build(), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> second = f.client.sendAsync(f.request("/echo")
                .POST(HttpRequest.BodyPublishers.ofString(large)).build(), HttpResponse.BodyHandlers.ofString());
        awaitHeld(wakegate, "api", 2);
        Thread.sleep(200);

        sources.get("api").ready(backend.port());

        assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("1000");
        assertThat(second.get(10, TimeUnit.SECONDS).body()).isEqualTo(large);
        awaitCountersZero(wakegate);
    }

    @Test
    void twoHundredConcurrentRequestsAtAColdRouteAllCompleteOnceReady() throws Exception {
        TestBackend backend = backend("b1");
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", null));

        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            responses.add(get("/r/" + i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> demand(wakegate, "api").held() == 200);
        assertThat(backend.requests()).isZero();

        sources.get("api").ready(backend.port());

        for (int i = 0; i < 200; i++) {
            HttpResponse<String> r = responses.get(i).get(20, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("b1 GET /r/" + i);
        }
        assertThat(backend.requests()).isEqualTo(200);
        awaitCountersZero(wakegate);
        assertThat(demand(wakegate, "api").requestCount()).isEqualTo(200);
    }

    @Test
    void queueFullOnARouteAnswers503WithRetryAfter() throws Exception {
        TestBackend backend = backend("b1");
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/",
                "hold: {maxPendingRequests: 2}"));

        CompletableFuture<HttpResponse<String>> first = get("/1");
        CompletableFuture<HttpResponse<String>> second = get("/2");
        awaitHeld(wakegate, "api", 2);

        HttpResponse<String> rejected = get("/3").get(10, TimeUnit.SECONDS);
        assertThat(rejected.statusCode()).isEqualTo(503);
        assertThat(rejected.headers().firstValue("retry-after")).isPresent();
        assertThat(rejected.headers().firstValue("x-wakegate-reason")).hasValue("queue-full");
        assertThat(rejected.headers().firstValue("x-wakegate-cold-start")).hasValue("false"); // never held
        assertThat(rejected.body()).contains("\"reason\":\"queue-full\"").contains("\"route\":\"api\"");
        assertThat(demand(wakegate, "api").held()).isEqualTo(2);

        sources.get("api").ready(backend.port());
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(backend.requests()).isEqualTo(2);
        awaitCountersZero(wakegate);
    }

    @Test
    void queueFullAcrossRoutesAnswers503() throws Exception {
        TestBackend backend = backend("b1");
        wakegate = f.startManual("limits: {maxPendingRequestsTotal: 2}\nroutes:\n"
                + Interceptors.manualRoute("a", "/a", null) + Interceptors.manualRoute("b", "/b", null));

        CompletableFuture<HttpResponse<String>> a = get("/a/1");
        awaitHeld(wakegate, "a", 1);
        CompletableFuture<HttpResponse<String>> b = get("/b/1");
        awaitHeld(wakegate, "b", 1);

        HttpResponse<String> rejected = get("/a/2").get(10, TimeUnit.SECONDS);
        assertThat(rejected.statusCode()).isEqualTo(503);
        assertThat(rejected.headers().firstValue("retry-after")).isPresent();
        assertThat(rejected.headers().firstValue("x-wakegate-reason")).hasValue("queue-full");

        sources.get("a").ready(backend.port());
        sources.get("b").ready(backend.port());
        assertThat(a.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(b.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        awaitCountersZero(wakegate);
    }

    @Test
    void coldStartTimeoutAnswers504() throws Exception {
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/",
                "hold: {coldStartTimeout: 300ms}"));

        HttpResponse<String> r = get("/never").get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.headers().firstValue("x-wakegate-reason")).hasValue("cold-start-timeout");
        assertThat(r.headers().firstValue("x-wakegate-cold-start")).hasValue("true"); // held for a cold start
        assertThat(r.body()).contains("\"reason\":\"cold-start-timeout\"");
        awaitCountersZero(wakegate);
        assertThat(Interceptors.admin(wakegate, "/metrics").body())
                .contains("wakegate_interceptor_rejections_total{reason=\"cold-start-timeout\",route=\"api\"} 1.0");
    }

    @Test
    void clientAbortWhileHeldLeavesTheQueueAtOnce() throws Exception {
        TestBackend backend = backend("b1");
        wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", null));
        int port = wakegate.proxyAddress().getPort();

        RawHttp bodyless = RawHttp.connect(port).send("GET /gone HTTP/1.1\r\nHost: x\r\n\r\n");
        awaitHeld(wakegate, "api", 1);
        RawHttp withBody = RawHttp.connect(port)
                .send("POST /gone-too HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
        awaitHeld(wakegate, "api", 2);
        assertThat(Interceptors.admin(wakegate, "/queue").body()).contains("\"held\" : 2");

        bodyless.close();
        withBody.close();

        awaitCountersZero(wakegate); // checks the snapshot and /queue
        sources.get("api").ready(backend.port());
        Thread.sleep(200);
        assertThat(backend.requests()).isZero();
        assertThat(get("/after").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        awaitCountersZero(wakegate);
    }
}
