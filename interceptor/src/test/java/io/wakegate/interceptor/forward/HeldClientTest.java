package io.wakegate.interceptor.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.ManualEndpointSource;
import io.wakegate.interceptor.testing.RawHttp;
import io.wakegate.interceptor.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client sees while its request is held, per route: early SSE headers and keep-alive
 * comments for a stream, a waiting page for a browser, a failover backend after a time or over
 * a full queue, and Retry-After from the route's observed cold starts. Real sockets and a real
 * backend; only readiness is driven by the test ({@link ManualEndpointSource}).
 */
class HeldClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestBackend backend;
    private TestBackend failoverBackend;
    private final Interceptors.ManualSources sources = new Interceptors.ManualSources();
    private InterceptorServer wakegate;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("model");
        failoverBackend = TestBackend.start("small");
        Path template = dir.resolve("waiting.html");
        Files.writeString(template, "<p>custom: {{route}} waited {{elapsedSeconds}} s, back in {{retryAfterSeconds}}"
                + " s <b>{{nope}}</b></p>");
        String keepAlive = """
                hold:
                  coldStartTimeout: 3s
                  streamKeepAlive: {after: 300ms, interval: 200ms}
                """;
        wakegate = Interceptors.start("shutdown: {readinessDelay: 0s, drainTimeout: 1s}\nroutes:\n"
                + Interceptors.manualRoute("sse", "/sse", keepAlive)
                + Interceptors.manualRoute("drain", "/drain", """
                        hold:
                          streamKeepAlive: {after: 100ms, interval: 100ms}
                        """)
                + Interceptors.manualRoute("errors", "/status", keepAlive)
                + Interceptors.manualRoute("plain", "/plain", "hold: {coldStartTimeout: 10s}")
                + Interceptors.manualRoute("page", "/page", """
                        hold:
                          waitingPage: {after: 0s}
                        """)
                + Interceptors.manualRoute("custom-page", "/custom", """
                        hold:
                          waitingPage: {after: 200ms, refresh: 7s, template: %s}
                        """.formatted(template))
                + Interceptors.manualRoute("fo", "/fo", """
                        hold:
                          maxPendingRequests: 1
                          failover:
                            url: %s
                            after: 400ms
                            headers: {X-Custom-Hop: from-failover-config}
                        """.formatted(failoverBackend.url())),
                sources);
    }

    @AfterEach
    void stop() {
        wakegate.close();
        backend.close();
        failoverBackend.close();
    }

    private String base() {
        return Interceptors.base(wakegate);
    }

    private ManualEndpointSource source(String route) {
        return sources.get(route);
    }

    private static HttpRequest.Builder post(String url, String json) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    }

    // ---- streaming: early headers and keep-alives ----

    @Test
    void aHeldStreamGetsItsHeadersEarlyThenCommentsThenTheBackendsEventsUnchanged() throws Exception {
        // "stream" after "model" and a long message: the body is read while held, as far as the flag.
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5000)
                + "\"}],\"stream\":true}";
        HttpResponse<Stream<String>> response = client.send(post(base() + "/sse?n=3&delayMs=10", body).build(),
                HttpResponse.BodyHandlers.ofLines());
        // send() returned: the head came while nothing was ready.
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(response.headers().firstValue("x-wakegate-stream-keep-alive")).hasValue("true");
        assertThat(Interceptors.demand(wakegate, "sse").held()).isEqualTo(1);
        Iterator<String> lines = response.body().iterator();
        List<String> comments = new ArrayList<>();
        while (comments.size() < 2) {
            String line = lines.next();
            if (!line.isEmpty()) {
                comments.add(line);
            }
        }
        assertThat(comments).allSatisfy(c -> assertThat(c).matches(": waiting for model m, \\d+ s"));
        assertThat(backend.requests()).isZero();

        source("sse").ready(backend.port());
        List<String> rest = new ArrayList<>();
        lines.forEachRemaining(rest::add);
        List<String> data = rest.stream().filter(l -> l.startsWith("data:")).toList();
        assertThat(data).hasSize(3);
        assertThat(backend.eventsSent()).isEqualTo(3);
        // Every byte the backend sent was relayed: the backend read the whole body, too.
        assertThat(backend.bytesReceived()).isEqualTo(body.length());
        Interceptors.awaitCountersZero(wakegate);
    }

    @Test
    void acceptingEventStreamIsEnoughAndABackendAnsweringBeforeTheDelayGetsItsOwnHead() throws Exception {
        source("sse").ready(backend.port());
        HttpResponse<String> warm = client.send(HttpRequest.newBuilder(URI.create(base() + "/sse?n=2&delayMs=1"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(warm.headers().firstValue("x-wakegate-stream-keep-alive")).isEmpty();
        assertThat(warm.body()).doesNotContain(": waiting");

        source("sse").ready();
        CompletableFuture<HttpResponse<String>> cold = client.sendAsync(HttpRequest.newBuilder(
                        URI.create(base() + "/sse?n=2&delayMs=1")).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofString());
        TimeUnit.MILLISECONDS.sleep(700);
        source("sse").ready(backend.port());
        HttpResponse<String> r = cold.get(10, TimeUnit.SECONDS);
        assertThat(r.headers().firstValue("x-wakegate-stream-keep-alive")).hasValue("true");
        assertThat(r.body()).startsWith(": waiting for route sse").contains("data: ");
        Interceptors.awaitCountersZero(wakegate);
    }

    @Test
    void aRequestThatDoesNotStreamIsHeldSilentlyAsBefore() throws Exception {
        CompletableFuture<HttpResponse<String>> r = client.sendAsync(
                post(base() + "/sse?n=1&delayMs=1", "{\"model\":\"m\",\"stream\":false}").build(),
                HttpResponse.BodyHandlers.ofString());
        Interceptors.awaitHeld(wakegate, "sse", 1);
        TimeUnit.MILLISECONDS.sleep(600);
        assertThat(r).isNotDone();
        source("sse").ready(backend.port());
        assertThat(r.get(10, TimeUnit.SECONDS).headers().firstValue("x-wakegate-stream-keep-alive")).isEmpty();
    }

    @Test
    void aBackendErrorAfterTheEarlyHeadIsOneOpenAiErrorEventAndTheStreamEnds() throws Exception {
        HttpResponse<Stream<String>> response = client.send(post(base() + "/status/503", "{\"stream\":true}")
                .build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        source("errors").ready(backend.port());
        List<String> data = response.body().filter(l -> l.startsWith("data: ")).toList();
        assertThat(data).hasSize(1);
        JsonNode error = JSON.readTree(data.get(0).substring(6)).get("error");
        assertThat(error.get("code").asText()).isEqualTo("backend_error");
        assertThat(error.get("message").asText()).isEqualTo("the backend answered 503");
        assertThat(error.get("route").asText()).isEqualTo("errors");
        Interceptors.awaitCountersZero(wakegate);
    }

    @Test
    void aSuccessThatIsNoEventStreamAfterTheEarlyHeadIsAnErrorEventNotSilence() throws Exception {
        HttpResponse<Stream<String>> response = client.send(post(base() + "/status/200", "{\"stream\":true}")
                .build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        source("errors").ready(backend.port());
        List<String> data = response.body().filter(l -> l.startsWith("data: ")).toList();
        assertThat(data).hasSize(1);
        assertThat(JSON.readTree(data.get(0).substring(6)).at("/error/message").asText())
                .isEqualTo("the backend answered 200 with no content type, not an event stream");
    }

    @Test
    void anInformationalResponseAfterTheEarlyHeadIsDroppedAndTheRealStreamFollows() throws Exception {
        // Accept names only SSE: no body peek, so Expect goes to the backend, which answers 100 Continue.
        String body = "{\"model\":\"m\"}";
        try (RawHttp raw = RawHttp.connect(wakegate.proxyAddress().getPort())) {
            raw.send("POST /sse?n=2&delayMs=1 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
                    + "Expect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body);
            Interceptors.awaitHeld(wakegate, "sse", 1);
            TimeUnit.MILLISECONDS.sleep(500); // past the early head
            source("sse").ready(backend.port());
            RawHttp.Response r = raw.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-wakegate-stream-keep-alive")).isEqualTo("true");
            assertThat(r.body()).startsWith(": waiting for route sse").doesNotContain("HTTP/1.1 100");
            assertThat(r.body().lines().filter(l -> l.startsWith("data:")).count()).isEqualTo(2);
        }
        Interceptors.awaitCountersZero(wakegate);
    }

    @Test
    void aColdStartTimeoutAfterTheEarlyHeadIsAnErrorEvent() throws Exception {
        long start = System.nanoTime();
        HttpResponse<Stream<String>> response = client.send(post(base() + "/sse", "{\"stream\":true}").build(),
                HttpResponse.BodyHandlers.ofLines());
        List<String> lines = response.body().filter(l -> !l.isEmpty()).toList(); // ends with the stream
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(3000);
        assertThat(lines.get(0)).startsWith(": waiting for route sse");
        String last = lines.get(lines.size() - 1);
        assertThat(last).startsWith("data: ");
        assertThat(JSON.readTree(last.substring(6)).at("/error/code").asText()).isEqualTo("cold_start_timeout");
        assertThat(lines.subList(0, lines.size() - 1)).allSatisfy(l -> assertThat(l).startsWith(": "));
        Interceptors.awaitCountersZero(wakegate);
    }

    @Test
    void aShutdownWhileTheStreamWaitsIsAnErrorEventAndACleanEnd() throws Exception {
        HttpResponse<Stream<String>> response = client.send(post(base() + "/drain", "{\"stream\":true}").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        Iterator<String> lines = response.body().iterator();
        assertThat(lines.next()).startsWith(": waiting for route drain");
        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(wakegate::close);
        List<String> rest = new ArrayList<>();
        lines.forEachRemaining(rest::add); // ends: the chunked stream was terminated, not cut
        String last = rest.stream().filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElseThrow();
        assertThat(last).startsWith("data: ");
        assertThat(JSON.readTree(last.substring(6)).at("/error/code").asText()).isEqualTo("shutting_down");
        shutdown.get(20, TimeUnit.SECONDS);
    }

    // ---- browsers: the waiting page ----

    @Test
    void aBrowserGetsTheWaitingPageWhileTheWakeGoesOnAndApiClientsStayHeld() throws Exception {
        HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create(base() + "/page/chat"))
                .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(503);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("retry-after")).hasValue("5"); // no cold start seen yet
        assertThat(page.headers().firstValue("refresh")).hasValue("5");
        assertThat(page.headers().firstValue("x-wakegate-reason")).hasValue("waking");
        assertThat(page.body()).contains("<code id=\"route\">page</code>").contains("http-equiv=\"refresh\"");
        assertThat(source("page").wakes()).isPositive();
        // The page's request left the queue, but the route's demand (what the scaler sees) stays up
        // until the page's next reload.
        assertThat(Interceptors.demand(wakegate, "page").held()).isEqualTo(1);
        assertThat(wakegate.routes().current().routes().get("page").gate().heldCount()).isZero();

        CompletableFuture<HttpResponse<String>> api = client.sendAsync(HttpRequest.newBuilder(
                URI.create(base() + "/page/chat")).header("Accept", "*/*").build(), HttpResponse.BodyHandlers.ofString());
        Interceptors.awaitHeld(wakegate, "page", 1);
        source("page").ready(backend.port());
        assertThat(api.get(10, TimeUnit.SECONDS).body()).isEqualTo("model GET /page/chat");
        // Once the route is awake the browser gets the real page.
        HttpResponse<String> awake = client.send(HttpRequest.newBuilder(URI.create(base() + "/page/chat"))
                .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(awake.statusCode()).isEqualTo(200);
        Interceptors.awaitCountersZero(wakegate);
    }

    @Test
    void aCustomTemplateIsFilledAndEscapedAfterItsDelay() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create(base() + "/custom"))
                .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(200);
        assertThat(page.statusCode()).isEqualTo(503);
        assertThat(page.body()).matches("<p>custom: custom-page waited \\d+ s, back in 5 s <b>\\{\\{nope}}</b></p>");
        assertThat(page.headers().firstValue("refresh")).hasValue("7");
    }

    // ---- failover ----

    @Test
    void heldLongerThanItsFailoverDelayARequestGoesToTheFailoverBackendAndTheRouteStillWakes() throws Exception {
        source("fo (failover)").ready(failoverBackend.port());
        long start = System.nanoTime();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base() + "/fo/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(400);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("small GET /fo/v1/models");
        assertThat(r.headers().firstValue("x-wakegate-failover")).hasValue("true");
        assertThat(r.headers().firstValue("x-wakegate-cold-start")).hasValue("true");
        assertThat(r.headers().firstValue("x-seen-host")).hasValue(failoverBackend.url().substring(7));
        assertThat(r.headers().firstValue("x-seen-custom-hop")).hasValue("from-failover-config");
        assertThat(backend.requests()).isZero();
        assertThat(source("fo").wakes()).isPositive();
        assertThat(failovers("after-hold")).isEqualTo(1.0);
        Interceptors.awaitCountersZero(wakegate);
    }

    @Test
    void overAFullQueueARequestFailsOverAtOnceAndAFailoverThatIsNotReadyLeavesRequestsHeld() throws Exception {
        // The failover backend is not ready: the first request stays held past the failover delay.
        CompletableFuture<HttpResponse<String>> first = client.sendAsync(
                HttpRequest.newBuilder(URI.create(base() + "/fo/one")).build(), HttpResponse.BodyHandlers.ofString());
        Interceptors.awaitHeld(wakegate, "fo", 1);
        TimeUnit.MILLISECONDS.sleep(600);
        assertThat(first).isNotDone();
        // Full queue and still no failover: the usual 503.
        HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(base() + "/fo/two")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("x-wakegate-reason")).hasValue("queue-full");

        source("fo (failover)").ready(failoverBackend.port());
        // The held one fails over within its recheck; a request over the full queue goes at once.
        assertThat(first.get(5, TimeUnit.SECONDS).body()).isEqualTo("small GET /fo/one");
        CompletableFuture<HttpResponse<String>> held = client.sendAsync(
                HttpRequest.newBuilder(URI.create(base() + "/fo/three")).build(), HttpResponse.BodyHandlers.ofString());
        Interceptors.awaitHeld(wakegate, "fo", 1);
        HttpResponse<String> over = client.send(HttpRequest.newBuilder(URI.create(base() + "/fo/four")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(over.body()).isEqualTo("small GET /fo/four");
        assertThat(held).isNotDone();
        assertThat(failovers("queue-full")).isEqualTo(1.0);
        source("fo").ready(backend.port());
        assertThat(held.get(5, TimeUnit.SECONDS).body()).isIn("model GET /fo/three", "small GET /fo/three");
        Interceptors.awaitCountersZero(wakegate);
    }

    private double failovers(String cause) {
        return wakegate.metrics().registry().get("wakegate.interceptor.failovers").tags("route", "fo", "cause", cause)
                .counter().count();
    }

    // ---- Retry-After from observed cold starts ----

    @Test
    void retryAfterComesFromTheMedianOfTheRoutesRecentColdStarts() throws Exception {
        for (long millis : new long[] {2200, 2600, 2400}) {
            coldStart("plain", millis);
        }
        JsonNode plain = routeStatus("plain");
        assertThat(plain.at("/coldStarts/observed").asInt()).isEqualTo(3);
        assertThat(plain.at("/coldStarts/medianMillis").asLong()).isBetween(2400L, 2600L);
        assertThat(plain.at("/coldStarts/recentMillis")).hasSize(3);
        assertThat(plain.at("/coldStarts/currentMillis").isNull()).isTrue();

        // Cold again: a waiting request, and the queue-full answer's Retry-After counts down from the median.
        source("plain").ready();
        CompletableFuture<HttpResponse<String>> held = client.sendAsync(
                HttpRequest.newBuilder(URI.create(base() + "/plain/a")).build(), HttpResponse.BodyHandlers.ofString());
        Interceptors.awaitHeld(wakegate, "plain", 1);
        JsonNode cold = routeStatus("plain");
        assertThat(cold.at("/coldStarts/currentMillis").isNumber()).isTrue();
        assertThat(cold.at("/coldStarts/retryAfterSeconds").asLong()).isBetween(2L, 3L);
        source("plain").ready(backend.port());
        assertThat(held.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    /** {@code route}'s object in {@code /api/routes}; fails when it is not there. */
    private JsonNode routeStatus(String route) throws Exception {
        for (JsonNode r : JSON.readTree(Interceptors.admin(wakegate, "/api/routes").body()).get("routes")) {
            if (r.get("name").asText().equals(route)) {
                return r;
            }
        }
        throw new AssertionError("no route " + route + " in /api/routes");
    }

    /** Holds one request on {@code route} with nothing ready for about {@code millis}, then readies it. */
    private void coldStart(String route, long millis) throws Exception {
        source(route).ready();
        CompletableFuture<HttpResponse<String>> r = client.sendAsync(
                HttpRequest.newBuilder(URI.create(base() + "/" + route + "/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        Interceptors.awaitHeld(wakegate, route, 1);
        TimeUnit.MILLISECONDS.sleep(millis);
        source(route).ready(backend.port());
        assertThat(r.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> Interceptors.demand(wakegate, route).inFlight() == 0);
    }
}
