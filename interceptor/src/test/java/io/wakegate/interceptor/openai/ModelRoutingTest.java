package io.wakegate.interceptor.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LocalProcesses;
import io.wakegate.interceptor.testing.RawHttp;
import io.wakegate.interceptor.testing.TestBackend;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Routing by the {@code model} of a JSON body, byte by byte on a raw socket: what reaches the
 * backend, every refusal and its reason, the read-ahead's bounds and its budget coming back.
 *
 * <p>Routes: {@code alpha} and {@code beta} share every host; on host {@code plain.test},
 * {@code gamma} has a model and {@code plain} has none (it serves requests naming no other model
 * there); {@code cold} has a model and no ready endpoint, so its requests are held.
 */
class ModelRoutingTest {

    private static final TestBackend A = start("alpha");
    private static final TestBackend B = start("beta");
    private static final TestBackend G = start("gamma");
    private static final TestBackend P = start("plain");
    private static final Interceptors.ManualSources SOURCES = new Interceptors.ManualSources();
    private static InterceptorServer server;
    private InterceptorServer tight;

    private static TestBackend start(String name) {
        try {
            return TestBackend.start(name);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void startServer() throws Exception {
        server = Interceptors.start("""
                routes:
                  - {name: alpha, match: {models: [alpha]}, backend: {static: {urls: ["http://127.0.0.1:9"]}}}
                  - {name: beta, match: {models: [beta, b]}, backend: {static: {urls: ["http://127.0.0.1:9"]}}}
                  - {name: gamma, match: {hosts: [plain.test], models: [gamma]}, backend: {static: {urls: ["http://127.0.0.1:9"]}}}
                  - {name: plain, match: {hosts: [plain.test]}, backend: {static: {urls: ["http://127.0.0.1:9"]}}}
                  - {name: cold, match: {models: [cold]}, backend: {static: {urls: ["http://127.0.0.1:9"]}}, hold: {coldStartTimeout: 1m}}
                """, SOURCES);
        SOURCES.get("alpha").ready(A.port());
        SOURCES.get("beta").ready(B.port());
        SOURCES.get("gamma").ready(G.port());
        SOURCES.get("plain").ready(P.port());
    }

    @AfterEach
    void closeTight() {
        if (tight != null) {
            tight.close();
        }
    }

    @AfterAll
    static void stopAll() {
        server.close();
        for (TestBackend backend : new TestBackend[] {A, B, G, P}) {
            backend.close();
        }
    }

    private static String post(String path, String host, String contentType, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: " + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static RawHttp.Response send(InterceptorServer to, String request) throws Exception {
        try (RawHttp http = RawHttp.connect(to.proxyAddress().getPort())) {
            http.send(request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return http.readResponse(false);
        }
    }

    private static JsonNode error(RawHttp.Response response) {
        return LocalProcesses.parse(response.body()).path("error");
    }

    /** A second server with {@code limits} and one route, {@code cold}, whose backend never becomes ready. */
    private static InterceptorServer startTight(String limits) throws InterruptedException {
        return Interceptors.start("limits: " + limits + "\n" + """
                routes:
                  - {name: cold, match: {models: [cold]}, backend: {static: {urls: ["http://127.0.0.1:9"]}}}
                """, new Interceptors.ManualSources());
    }

    private static double readAhead(InterceptorServer s) {
        return s.metrics().registry().get("wakegate.interceptor.read.ahead").gauge().value();
    }

    @Test
    void theModelChoosesTheBackendAndTheWholeBodyArrivesInOrder() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5000) + "\"}],\"model\":\"b\","
                + "\"stream\":false}";
        RawHttp.Response echoed = send(server, post("/echo", "api.test", "application/json", body));
        assertThat(echoed.status()).isEqualTo(200);
        assertThat(echoed.body()).isEqualTo(body);
        assertThat(B.requests()).isPositive();

        RawHttp.Response alpha = send(server, post("/v1/chat/completions", "api.test", "application/json",
                "{\"model\":\"alpha\"}"));
        assertThat(alpha.body()).isEqualTo("alpha POST /v1/chat/completions");
        assertThat(readAhead(server)).isZero();
    }

    @Test
    void aChunkedBodyTricklingInSmallPiecesIsRoutedOnceItsModelArrives() throws Exception {
        try (RawHttp http = RawHttp.connect(server.proxyAddress().getPort())) {
            http.send("POST /echo HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            String[] pieces = {"{\"pad\":[1,2,", "3],\"mo", "del\":\"al", "pha\",\"rest\":\"", "tail\"}"};
            for (String piece : pieces) {
                http.send(Integer.toHexString(piece.length()) + "\r\n" + piece + "\r\n");
                Thread.sleep(20);
            }
            http.send("0\r\n\r\n");
            RawHttp.Response response = http.readResponse(false);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(String.join("", pieces));
        }
    }

    @Test
    void expectContinueIsAnsweredByWakegateBeforeItReadsTheModel() throws Exception {
        String body = "{\"model\":\"beta\"}";
        try (RawHttp http = RawHttp.connect(server.proxyAddress().getPort())) {
            http.send("POST /v1/embeddings HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n");
            RawHttp.Response interim = http.readResponse(false);
            assertThat(interim.status()).isEqualTo(100);
            http.send(body);
            RawHttp.Response response = http.readResponse(false);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("beta POST /v1/embeddings");
            assertThat(response.header("x-seen-expect")).isNull();
        }
    }

    @Test
    void malformedMissingAndNonStringModelsAre400WithTheirReasonAndTheConnectionStaysUsable() throws Exception {
        try (RawHttp http = RawHttp.connect(server.proxyAddress().getPort())) {
            String[][] cases = {
                    {"{\"messages\": [}", "malformed-json"},
                    {"[\"alpha\"]", "malformed-json"},
                    {"{\"messages\":[]}", "model-missing"},
                    {"{\"model\":7}", "model-invalid"},
            };
            for (String[] c : cases) {
                http.send(post("/v1/chat/completions", "api.test", "application/json", c[0]));
                RawHttp.Response response = http.readResponse(false);
                assertThat(response.status()).as(c[0]).isEqualTo(400);
                assertThat(response.header("x-wakegate-reason")).as(c[0]).isEqualTo(c[1]);
                assertThat(error(response).path("code").asText()).isEqualTo(c[1].replace('-', '_'));
                assertThat(error(response).path("type").asText()).isEqualTo("invalid_request_error");
            }
            http.send(post("/v1/chat/completions", "api.test", "application/json", "{\"model\":\"alpha\"}"));
            assertThat(http.readResponse(false).body()).isEqualTo("alpha POST /v1/chat/completions");
        }
    }

    @Test
    void anUnknownModelIs404ListingTheKnownOnesAndOffTheOpenAiPathsTheErrorKeepsWakegatesShape() throws Exception {
        RawHttp.Response response = send(server, post("/v1/completions", "api.test", "application/json",
                "{\"model\":\"gpt-5\"}"));
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("x-wakegate-reason")).isEqualTo("model-not-found");
        assertThat(error(response).path("code").asText()).isEqualTo("model_not_found");
        assertThat(error(response).path("message").asText())
                .isEqualTo("model \"gpt-5\" is not served here; known models: alpha, b, beta, cold, gamma");

        RawHttp.Response plainShape = send(server, post("/generate", "api.test", "application/json",
                "{\"model\":\"gpt-5\"}"));
        assertThat(plainShape.status()).isEqualTo(404);
        JsonNode json = LocalProcesses.parse(plainShape.body());
        assertThat(json.path("reason").asText()).isEqualTo("model-not-found");
        assertThat(json.path("error").asText()).contains("gpt-5");
    }

    @Test
    void requestsNamingNoModelGoToTheRouteWithoutModelsOnTheirAddressOrGet400() throws Exception {
        // plain.test: gamma by model; anything else (another model, no body, no JSON) to plain.
        assertThat(send(server, post("/x", "plain.test", "application/json", "{\"model\":\"gamma\"}")).body())
                .isEqualTo("gamma POST /x");
        assertThat(send(server, post("/x", "plain.test", "application/json", "{\"model\":\"alpha\"}")).body())
                .isEqualTo("plain POST /x");
        assertThat(send(server, "GET /health HTTP/1.1\r\nHost: plain.test\r\n\r\n").body())
                .isEqualTo("plain GET /health");
        String multipart = "--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngamma\r\n--b--\r\n";
        RawHttp.Response upload = send(server, post("/echo", "plain.test", "multipart/form-data; boundary=b", multipart));
        assertThat(upload.body()).isEqualTo(multipart);
        assertThat(P.seenUris()).contains("/echo");

        // Any other host has only model routes: a request naming none cannot be routed.
        RawHttp.Response health = send(server, "GET /health HTTP/1.1\r\nHost: api.test\r\n\r\n");
        assertThat(health.status()).isEqualTo(400);
        assertThat(health.header("x-wakegate-reason")).isEqualTo("model-missing");
    }

    @Test
    void theModelListComesFromTheTableWithoutWakingAnything() throws Exception {
        RawHttp.Response list = send(server, "GET /v1/models HTTP/1.1\r\nHost: api.test\r\n\r\n");
        assertThat(list.status()).isEqualTo(200);
        JsonNode data = LocalProcesses.parse(list.body()).path("data");
        assertThat(data).extracting(m -> m.path("id").asText()).containsExactly("alpha", "b", "beta", "cold", "gamma");
        assertThat(data.get(3).path("wakegate").path("route").asText()).isEqualTo("cold");
        assertThat(data.get(3).path("wakegate").path("state").asText()).isEqualTo("sleeping");
        assertThat(data.get(0).path("wakegate").path("state").asText()).isEqualTo("ready");
        assertThat(data.get(0).path("object").asText()).isEqualTo("model");

        RawHttp.Response one = send(server, "GET /v1/models/b HTTP/1.1\r\nHost: api.test\r\n\r\n");
        assertThat(LocalProcesses.parse(one.body()).path("wakegate").path("route").asText()).isEqualTo("beta");
        assertThat(send(server, "GET /v1/models/nope HTTP/1.1\r\nHost: api.test\r\n\r\n").status()).isEqualTo(404);
        assertThat(Interceptors.demand(server, "cold").requestCount()).isZero();
        assertThat(SOURCES.get("cold").wakes()).isZero();
    }

    @Test
    void aHeldRequestKeepsOnlyItsReadAheadAndGivesItBackWhenTheClientLeaves() throws Exception {
        String body = "{\"model\":\"cold\",\"messages\":[{\"content\":\"" + "y".repeat(600) + "\"}]}";
        try (RawHttp http = RawHttp.connect(server.proxyAddress().getPort())) {
            http.send(post("/v1/chat/completions", "api.test", "application/json", body));
            Interceptors.awaitHeld(server, "cold", 1);
            assertThat(readAhead(server)).isEqualTo(body.length());
        }
        Interceptors.awaitHeld(server, "cold", 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> readAhead(server) == 0);
    }

    @Test
    void theReadAheadBudgetIsGlobalAndAFullOneAnswers503WithRetryAfter() throws Exception {
        tight = startTight("{modelReadAhead: 1KiB, readAheadBudget: 1KiB}");
        String big = "{\"model\":\"cold\",\"pad\":\"" + "z".repeat(800) + "\"}";
        try (RawHttp first = RawHttp.connect(tight.proxyAddress().getPort())) {
            first.send(post("/v1/completions", "api.test", "application/json", big));
            Interceptors.awaitHeld(tight, "cold", 1);

            RawHttp.Response refused = send(tight, post("/v1/completions", "api.test", "application/json", big));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("x-wakegate-reason")).isEqualTo("read-ahead-full");
            assertThat(refused.header("retry-after")).isEqualTo("1");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> readAhead(tight) == 0);
        try (RawHttp again = RawHttp.connect(tight.proxyAddress().getPort())) {
            again.send(post("/v1/completions", "api.test", "application/json", big));
            Interceptors.awaitHeld(tight, "cold", 1); // room again: held, not refused
        }
    }

    @Test
    void aModelBeyondTheReadAheadIs413AndASlowBodyIs408() throws Exception {
        tight = startTight("{modelReadAhead: 1KiB, requestHeaderTimeout: 500ms}");
        String far = "{\"pad\":\"" + "z".repeat(2000) + "\",\"model\":\"cold\"}";
        RawHttp.Response tooFar = send(tight, post("/v1/completions", "api.test", "application/json", far));
        assertThat(tooFar.status()).isEqualTo(413);
        assertThat(tooFar.header("x-wakegate-reason")).isEqualTo("model-beyond-read-ahead");
        assertThat(error(tooFar).path("message").asText()).contains("first 1024 bytes");
        assertThat(tooFar.header("connection")).isEqualTo("close");

        try (RawHttp slow = RawHttp.connect(tight.proxyAddress().getPort())) {
            slow.send("POST /v1/completions HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"messages\":");
            RawHttp.Response timedOut = slow.readResponse(false);
            assertThat(timedOut.status()).isEqualTo(408);
            assertThat(timedOut.header("x-wakegate-reason")).isEqualTo("model-read-timeout");
        }
        assertThat(readAhead(tight)).isZero();
    }

    @Test
    void aModelClaimedTwiceOnOneAddressIsAConfigurationError() {
        assertThatThrownBy(() -> Interceptors.start("""
                routes:
                  - {name: one, match: {models: [m, n]}, backend: {static: {urls: ["http://127.0.0.1:9"]}}}
                  - {name: two, match: {models: [n]}, backend: {static: {urls: ["http://127.0.0.1:9"]}}}
                """)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("routes[1].match.models: n is already served by route one on */ (expected: each model"
                        + " name in one route per host, path prefix and headers)");
        assertThatThrownBy(() -> Interceptors.config("""
                routes:
                  - {name: one, match: {models: ["has space"]}, backend: {static: {urls: ["http://127.0.0.1:9"]}}}
                """)).hasMessageContaining("routes[0].match.models[0]").hasMessageContaining("visible ASCII");
    }
}
