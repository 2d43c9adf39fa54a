package io.wakegate.interceptor.admin;

import static io.wakegate.interceptor.admin.AdminCalls.post;
import static io.wakegate.interceptor.admin.AdminCalls.route;
import static io.wakegate.interceptor.admin.AdminCalls.state;
import static io.wakegate.interceptor.testing.LocalProcesses.alive;
import static io.wakegate.interceptor.testing.LocalProcesses.chat;
import static io.wakegate.interceptor.testing.LocalProcesses.demoCommand;
import static io.wakegate.interceptor.testing.LocalProcesses.freePort;
import static io.wakegate.interceptor.testing.LocalProcesses.parse;
import static io.wakegate.interceptor.testing.LocalProcesses.processRoute;
import static io.wakegate.interceptor.testing.LocalProcesses.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LocalProcesses;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/routes} and its wake and sleep calls, on a loopback admin listener (no token needed). */
class RoutesApiTest {

    @TempDir
    Path dir;

    private InterceptorServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String demo(String name, String loadTime, String hold) {
        int port = freePort();
        return processRoute(name, port, demoCommand(port, name + "-demo", loadTime, "10ms"), dir.resolve(name + ".log"),
                "idleTimeout: 10m", hold);
    }

    @Test
    void listsEveryRouteWithBackendStateCountersColdStartAndPid() throws Exception {
        server = Interceptors.start("routes:\n" + demo("llama", "200ms", null)
                + Interceptors.staticRoute("down", "/down", "http://127.0.0.1:" + freePort(), null));

        JsonNode llama = route(server, "llama");
        assertThat(llama.path("backend").asText()).isEqualTo("process");
        assertThat(llama.path("models").isArray()).isTrue();
        assertThat(llama.path("models")).isEmpty();
        assertThat(llama.path("state").asText()).isEqualTo("sleeping");
        assertThat(llama.path("held").asInt()).isZero();
        assertThat(llama.path("inFlight").asInt()).isZero();
        assertThat(llama.path("requestCount").asLong()).isZero();
        assertThat(llama.path("lastColdStartMillis").isNull()).isTrue();
        assertThat(llama.path("pid").isNull()).isTrue();

        HttpResponse<String> response = send(LocalProcesses.post(server, "llama", "/v1/chat/completions",
                chat("hi", false, 8)));
        assertThat(response.statusCode()).isEqualTo(200);

        llama = route(server, "llama");
        assertThat(llama.path("state").asText()).isEqualTo("ready");
        assertThat(llama.path("requestCount").asLong()).isEqualTo(1);
        assertThat(llama.path("lastColdStartMillis").isNumber()).isTrue();
        assertThat(llama.path("pid").asLong()).isPositive();
        assertThat(alive(llama.path("pid").asLong())).isTrue();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode down = route(server, "down");
            assertThat(down.path("backend").asText()).isEqualTo("static");
            assertThat(down.path("state").asText()).isEqualTo("sleeping");
            assertThat(down.path("lastError").asText()).contains("127.0.0.1");
            assertThat(down.path("lastErrorAt").asText()).isNotBlank();
            assertThat(down.path("pid").isNull()).isTrue();
        });
    }

    @Test
    void listsTheModelsEachRouteServes() throws Exception {
        server = Interceptors.start("routes:\n"
                + modelRoute("llama", "[llama-3.1-8b, llama-3.1-70b]")
                + modelRoute("mistral", "[mistral-7b]")
                + Interceptors.staticRoute("plain", "/plain", "http://127.0.0.1:" + freePort(), null));

        assertThat(route(server, "llama").path("models")).extracting(JsonNode::asText)
                .containsExactly("llama-3.1-70b", "llama-3.1-8b");
        assertThat(route(server, "mistral").path("models")).extracting(JsonNode::asText)
                .containsExactly("mistral-7b");
        assertThat(route(server, "plain").path("models").isArray()).isTrue();
        assertThat(route(server, "plain").path("models")).isEmpty();

        // A listed model is what routes there: a request naming mistral-7b wakes mistral only.
        HttpResponse<String> response = send(LocalProcesses.post(server, "mistral", "/v1/chat/completions",
                chat("mistral-7b", "hi", false, 8)));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(route(server, "mistral").path("requestCount").asLong()).isEqualTo(1);
        assertThat(route(server, "mistral").path("state").asText()).isEqualTo("ready");
        assertThat(route(server, "llama").path("requestCount").asLong()).isZero();
    }

    /** A demo process route on /v1 serving {@code models} (a YAML list). */
    private String modelRoute(String name, String models) {
        int port = freePort();
        return processRoute(name, "{pathPrefixes: [/v1], models: " + models + "}", port,
                demoCommand(port, name + "-demo", "200ms", "10ms"), dir.resolve(name + ".log"), "idleTimeout: 10m",
                null);
    }

    @Test
    void wakeStartsAProcessWithoutARequestAndSleepStopsIt() throws Exception {
        server = Interceptors.start("routes:\n" + demo("llama", "300ms", null));

        HttpResponse<String> woken = post(server, "llama", "wake");
        assertThat(woken.statusCode()).isEqualTo(202);
        assertThat(parse(woken.body()).path("state").asText()).isEqualTo("waking");
        await().atMost(Duration.ofSeconds(20)).until(() -> state(server, "llama").equals("ready"));
        long pid = route(server, "llama").path("pid").asLong();
        assertThat(alive(pid)).isTrue();
        assertThat(route(server, "llama").path("requestCount").asLong()).isZero();

        HttpResponse<String> again = post(server, "llama", "wake");
        assertThat(again.statusCode()).isEqualTo(200); // ready already: nothing to do

        HttpResponse<String> slept = post(server, "llama", "sleep");
        assertThat(slept.statusCode()).isEqualTo(200);
        assertThat(parse(slept.body()).path("state").asText()).isEqualTo("sleeping");
        assertThat(parse(slept.body()).path("pid").isNull()).isTrue();
        assertThat(alive(pid)).isFalse();

        // Asleep, it wakes again on the next request.
        HttpResponse<String> response = send(LocalProcesses.post(server, "llama", "/v1/chat/completions",
                chat("back", false, 8)));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-wakegate-cold-start")).hasValue("true");
    }

    @Test
    void sleepStopsTheProcessOnlyOnceNothingIsInFlight() throws Exception {
        int port = freePort();
        server = Interceptors.start("routes:\n" + processRoute("llama", port, demoCommand(port, "llama-demo", "200ms",
                "100ms"), dir.resolve("llama.log"), "idleTimeout: 10m", null));
        assertThat(post(server, "llama", "wake").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> state(server, "llama").equals("ready"));
        long pid = route(server, "llama").path("pid").asLong();
        String prompt = "one two three four five six seven eight nine ten";

        // Asked to sleep while a response streams: the stream finishes whole, then the process stops.
        List<CompletableFuture<HttpResponse<String>>> sleep = new CopyOnWriteArrayList<>();
        LocalProcesses.Streamed streamed = LocalProcesses.stream(LocalProcesses.post(server, "llama",
                "/v1/chat/completions", chat(prompt, true, 64)), event -> {
                    if (sleep.isEmpty()) {
                        sleep.add(CompletableFuture.supplyAsync(() -> post(server, "llama", "sleep")));
                    }
                });

        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.text()).isEqualTo("Hello from llama-demo! You said: " + prompt);
        HttpResponse<String> slept = sleep.get(0).get(30, TimeUnit.SECONDS);
        assertThat(slept.statusCode()).isEqualTo(200);
        assertThat(parse(slept.body()).path("state").asText()).isEqualTo("sleeping");
        assertThat(alive(pid)).isFalse();
    }

    @Test
    void sleepIsRefusedWhileRequestsAreHeld() throws Exception {
        server = Interceptors.start("routes:\n" + demo("slow", "2s", null));
        CompletableFuture<HttpResponse<String>> held = LocalProcesses.CLIENT.sendAsync(
                LocalProcesses.post(server, "slow", "/v1/chat/completions", chat("wait", false, 4)),
                HttpResponse.BodyHandlers.ofString());
        Interceptors.awaitHeld(server, "slow", 1);
        assertThat(state(server, "slow")).isEqualTo("waking");
        assertThat(route(server, "slow").path("held").asInt()).isEqualTo(1);

        HttpResponse<String> refused = post(server, "slow", "sleep");

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(parse(refused.body()).path("reason").asText()).isEqualTo("requests-held");
        assertThat(parse(refused.body()).path("error").asText()).contains("1 request(s) are held");
        assertThat(refused.headers().firstValue("x-wakegate-reason")).hasValue("requests-held");
        assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownRoutesAre404() throws Exception {
        server = Interceptors.start("routes:\n" + Interceptors.staticRoute("a", "/a", "http://127.0.0.1:9", null));
        for (String action : new String[] {"wake", "sleep"}) {
            HttpResponse<String> response = post(server, "nope", action);
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(parse(response.body()).path("reason").asText()).isEqualTo("unknown-route");
            assertThat(parse(response.body()).path("route").asText()).isEqualTo("nope");
        }
        assertThat(post(server, "team-a%2Fnope", "wake").statusCode()).isEqualTo(404);
        assertThat(post(server, "a", "dance").statusCode()).isEqualTo(404);
        assertThat(Interceptors.admin(server, "/api/routes/a/wake").statusCode()).isEqualTo(405);
    }

    @Test
    void aStaticBackendIsProbedOnWakeAndNeverStopped() throws Exception {
        server = Interceptors.start("routes:\n" + Interceptors.staticRoute("a", "/a", "http://127.0.0.1:9", null));

        assertThat(post(server, "a", "wake").statusCode()).isEqualTo(202);
        HttpResponse<String> refused = post(server, "a", "sleep");

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(parse(refused.body()).path("reason").asText()).isEqualTo("not-stoppable");
        assertThat(parse(refused.body()).path("error").asText()).contains("this static backend");
    }

    @Test
    void aWakeOfABackendKedaScalesCountsAsDemandUntilTheRouteIsReady() throws Exception {
        Interceptors.ManualSources sources = new Interceptors.ManualSources();
        sources.get("k8s").scaledByDemand(true);
        server = Interceptors.start("routes:\n" + Interceptors.manualRoute("k8s", "/k", "hold: {coldStartTimeout: 1m}"),
                sources);
        List<String> activated = new CopyOnWriteArrayList<>();
        server.demand().addActivationListener(activated::add);

        assertThat(post(server, "k8s", "wake").statusCode()).isEqualTo(202);
        assertThat(post(server, "k8s", "wake").statusCode()).isEqualTo(202);

        assertThat(activated).containsExactly("k8s"); // pushed to the scaler at once
        assertThat(Interceptors.demand(server, "k8s").held()).isEqualTo(1); // one wake, however often asked
        assertThat(route(server, "k8s").path("held").asInt()).isZero(); // no request is held
        assertThat(state(server, "k8s")).isEqualTo("waking");
        assertThat(sources.get("k8s").wakes()).isZero(); // KEDA wakes it, not the source

        HttpResponse<String> refused = post(server, "k8s", "sleep");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(parse(refused.body()).path("reason").asText()).isEqualTo("not-stoppable");

        sources.get("k8s").ready(9);
        await().atMost(Duration.ofSeconds(10)).until(() -> Interceptors.demand(server, "k8s").held() == 0);
        assertThat(state(server, "k8s")).isEqualTo("ready");
    }

    @Test
    void aWakeThatNeverGetsReadyStopsCountingAfterTheColdStartTimeout() throws Exception {
        Interceptors.ManualSources sources = new Interceptors.ManualSources();
        sources.get("k8s").scaledByDemand(true);
        server = Interceptors.start("routes:\n" + Interceptors.manualRoute("k8s", "/k",
                "hold: {coldStartTimeout: 300ms}"), sources);

        assertThat(post(server, "k8s", "wake").statusCode()).isEqualTo(202);
        assertThat(Interceptors.demand(server, "k8s").held()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(10)).until(() -> Interceptors.demand(server, "k8s").held() == 0);
        assertThat(state(server, "k8s")).isEqualTo("sleeping");
        Interceptors.awaitCountersZero(server);
    }
}
