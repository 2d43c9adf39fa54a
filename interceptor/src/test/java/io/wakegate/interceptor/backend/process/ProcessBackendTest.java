package io.wakegate.interceptor.backend.process;

import static io.wakegate.interceptor.testing.LocalProcesses.alive;
import static io.wakegate.interceptor.testing.LocalProcesses.awaitState;
import static io.wakegate.interceptor.testing.LocalProcesses.chat;
import static io.wakegate.interceptor.testing.LocalProcesses.demoCommand;
import static io.wakegate.interceptor.testing.LocalProcesses.freePort;
import static io.wakegate.interceptor.testing.LocalProcesses.parse;
import static io.wakegate.interceptor.testing.LocalProcesses.pid;
import static io.wakegate.interceptor.testing.LocalProcesses.post;
import static io.wakegate.interceptor.testing.LocalProcesses.processRoute;
import static io.wakegate.interceptor.testing.LocalProcesses.send;
import static io.wakegate.interceptor.testing.LocalProcesses.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LocalProcesses;
import io.wakegate.interceptor.testing.LocalProcesses.Streamed;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process backends end to end: a real interceptor starting real child processes (the demo model
 * host, or {@code sh -c} for programs that fail), driven by real HTTP clients.
 */
class ProcessBackendTest {

    @TempDir
    Path dir;

    private InterceptorServer server;
    private final List<Long> pids = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        // Whatever else a test proves, no child survives the interceptor.
        for (long pid : pids) {
            assertThat(alive(pid)).as("pid %d after close", pid).isFalse();
        }
    }

    private InterceptorServer start(String routes) throws InterruptedException {
        server = Interceptors.start("shutdown: {readinessDelay: 0s, drainTimeout: 1s}\nroutes:\n" + routes);
        return server;
    }

    private long runningPid(String route) {
        long pid = pid(server, route);
        assertThat(pid).as("pid of %s", route).isPositive();
        pids.add(pid);
        return pid;
    }

    /** The value of {@code name{route=...}} on {@code /metrics}. */
    private double metric(String name, String route) {
        String metrics = Interceptors.admin(server, "/metrics").body();
        String line = metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains("route=\"" + route + "\""))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " for " + route + " in\n" + metrics));
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void coldStartHoldsTheFirstRequestUntilTheProcessIsReady() throws Exception {
        int port = freePort();
        start(processRoute("llama", port, demoCommand(port, "llama-demo", "300ms", "10ms"),
                dir.resolve("llama.log"), "idleTimeout: 1m", null));
        assertThat(state(server, "llama")).isEqualTo("stopped");
        assertThat(pid(server, "llama")).isEqualTo(-1);

        HttpResponse<String> response = send(post(server, "llama", "/v1/chat/completions", chat("hi there", false, 64)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-wakegate-cold-start")).hasValue("true");
        assertThat(parse(response.body()).path("choices").path(0).path("message").path("content").asText())
                .isEqualTo("Hello from llama-demo! You said: hi there");
        assertThat(state(server, "llama")).isEqualTo("ready");
        assertThat(alive(runningPid("llama"))).isTrue();

        HttpResponse<String> warm = send(post(server, "llama", "/v1/chat/completions", chat("again", false, 64)));
        assertThat(warm.statusCode()).isEqualTo(200);
        assertThat(warm.headers().firstValue("x-wakegate-cold-start")).hasValue("false");

        assertThat(metric("wakegate_interceptor_cold_start_duration_seconds_count", "llama")).isEqualTo(1);
        assertThat(metric("wakegate_interceptor_process_starts_total", "llama")).isEqualTo(1);
        assertThat(metric("wakegate_interceptor_process_failures_total", "llama")).isEqualTo(0);
        assertThat(Files.readString(dir.resolve("llama.log"))).contains("starting route llama");
        Interceptors.awaitCountersZero(server);
    }

    @Test
    void processExitingBeforeReadyFailsHeldRequestsAtOnce() throws Exception {
        int port = freePort();
        start(processRoute("broken", port, "[sh, -c, 'echo boom >&2; sleep 0.5; exit 3']", dir.resolve("broken.log"),
                "maxRestarts: 2", "coldStartTimeout: 2m"));

        // Two requests held together; both fail as soon as the process exits, not after 2 minutes.
        CompletableFuture<HttpResponse<String>> first = LocalProcesses.CLIENT.sendAsync(
                post(server, "broken", "/v1/models", "{}"), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> second = LocalProcesses.CLIENT.sendAsync(
                post(server, "broken", "/v1/models", "{}"), HttpResponse.BodyHandlers.ofString());
        Interceptors.awaitHeld(server, "broken", 2);
        assertThat(state(server, "broken")).isEqualTo("starting");
        for (HttpResponse<String> r : List.of(first.get(30, TimeUnit.SECONDS), second.get(30, TimeUnit.SECONDS))) {
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.headers().firstValue("x-wakegate-reason")).hasValue("backend-failed-to-start");
            assertThat(r.body()).contains("\"code\":\"backend_failed_to_start\"").contains("exited");
            assertThat(r.headers().firstValue("retry-after")).isEmpty();
        }
        assertThat(Files.readString(dir.resolve("broken.log"))).contains("boom");
        assertThat(state(server, "broken")).isEqualTo("stopped");

        // The second failure in a row reaches maxRestarts: from then on requests fail without a start.
        assertThat(send(post(server, "broken", "/v1/models", "{}")).statusCode()).isEqualTo(502);
        awaitState(server, "broken", "failed");
        double startsBefore = metric("wakegate_interceptor_process_starts_total", "broken");
        HttpResponse<String> failFast = send(post(server, "broken", "/v1/models", "{}"));
        assertThat(failFast.statusCode()).isEqualTo(503);
        assertThat(failFast.headers().firstValue("x-wakegate-reason")).hasValue("backend-start-backoff");
        assertThat(failFast.body()).contains("failed to start maxRestarts times in a row");
        assertThat(failFast.headers().firstValue("retry-after")).hasValueSatisfying(
                seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 30));
        assertThat(metric("wakegate_interceptor_process_starts_total", "broken")).isEqualTo(startsBefore).isEqualTo(2);
        assertThat(metric("wakegate_interceptor_process_failures_total", "broken")).isEqualTo(2);
        Interceptors.awaitCountersZero(server);
    }

    @Test
    void processMissingItsStartTimeoutIsStoppedAndAnswered504WithItsOwnReason() throws Exception {
        int port = freePort();
        start(processRoute("slow", port, "[sh, -c, 'exec sleep 60']", dir.resolve("slow.log"),
                "startTimeout: 1s\nstopGracePeriod: 1s", "coldStartTimeout: 2m"));

        HttpResponse<String> r = send(post(server, "slow", "/v1/models", "{}"));
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.headers().firstValue("x-wakegate-reason")).hasValue("backend-start-timeout");
        assertThat(r.body()).contains("did not become ready within its startTimeout");
        assertThat(r.headers().firstValue("x-wakegate-cold-start")).hasValue("true");
        awaitState(server, "slow", "stopped");
        assertThat(metric("wakegate_interceptor_process_failures_total", "slow")).isEqualTo(1);
        Interceptors.awaitCountersZero(server);
    }

    @Test
    void idleStopNeverInterruptsAStreamInFlight() throws Exception {
        int port = freePort();
        start(processRoute("llama", port, demoCommand(port, "llama-demo", "300ms", "150ms"),
                dir.resolve("llama.log"), "idleTimeout: 1s", null));
        // 5 tokens of greeting + 15 words of prompt = 20 tokens, 150 ms apart: 3 s, three idle timeouts.
        String prompt = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen";
        AtomicBoolean stoppedDuringStream = new AtomicBoolean();
        List<Long> pidsSeen = new ArrayList<>();

        Streamed streamed = LocalProcesses.stream(post(server, "llama", "/v1/chat/completions", chat(prompt, true, 64)),
                event -> {
                    long pid = pid(server, "llama");
                    pidsSeen.add(pid);
                    if (pid < 0 || !alive(pid) || !state(server, "llama").equals("ready")) {
                        stoppedDuringStream.set(true);
                    }
                });

        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.coldStart()).isEqualTo("true");
        assertThat(streamed.events()).hasSize(22).last().isEqualTo("[DONE]"); // 20 tokens, finish, [DONE]
        assertThat(streamed.text()).isEqualTo("Hello from llama-demo! You said: " + prompt);
        assertThat(parse(streamed.events().get(20)).path("choices").path(0).path("finish_reason").asText())
                .isEqualTo("stop");
        assertThat(stoppedDuringStream).as("process stopped or withdrawn while streaming").isFalse();
        assertThat(pidsSeen).containsOnly(pidsSeen.get(0));
        long pid = pidsSeen.get(0);
        pids.add(pid);

        // Only now, idle, it stops.
        awaitState(server, "llama", "stopped");
        await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));
        Interceptors.awaitCountersZero(server);
    }

    @Test
    void requestsRacingAnIdleStopAllSucceed() throws Exception {
        int port = freePort();
        start(processRoute("llama", port, slowToStop(demoCommand(port, "llama-demo", "0s", "1ms")),
                dir.resolve("llama.log"), "idleTimeout: 500ms\nstopGracePeriod: 5s", null));
        assertThat(send(post(server, "llama", "/v1/completions", "{\"prompt\": \"warm\"}")).statusCode()).isEqualTo(200);
        pids.add(pid(server, "llama"));

        // Deterministically inside the stop: the endpoint is withdrawn and the process is going away.
        awaitState(server, "llama", "stopping");
        long stopping = pid(server, "llama");
        HttpResponse<String> during = send(post(server, "llama", "/v1/completions", "{\"prompt\": \"during\"}"));
        assertThat(during.statusCode()).isEqualTo(200);
        assertThat(during.body()).contains("You said: during");
        assertThat(pid(server, "llama")).isNotEqualTo(stopping);
        pids.add(pid(server, "llama"));

        // Spaced around the idle timeout (checked every 250 ms): some land while ready, some while the
        // stop is being decided or the process is stopping, some after it stopped.
        long[] pausesMillis = {300, 450, 600, 750};
        List<String> outcomes = new ArrayList<>();
        for (long pause : pausesMillis) {
            Thread.sleep(pause);
            String before = state(server, "llama");
            HttpResponse<String> r = send(post(server, "llama", "/v1/completions", "{\"prompt\": \"p" + pause + "\"}"));
            long pid = pid(server, "llama");
            if (pid > 0) {
                pids.add(pid);
            }
            outcomes.add(pause + "ms after, state " + before + ": " + r.statusCode() + " " + r.body().strip());
            assertThat(r.statusCode()).as(String.join("\n", outcomes)).isEqualTo(200);
            assertThat(parse(r.body()).path("choices").path(0).path("text").asText())
                    .isEqualTo("Hello from llama-demo! You said: p" + pause);
        }
        Interceptors.awaitCountersZero(server);
    }

    /**
     * Wraps a command in a shell that takes 400 ms to exit after SIGTERM (its child, in the same
     * process group, stops at once): a long "stopping" window with the port already closed.
     */
    private static String slowToStop(String command) {
        return "[sh, -c, 'trap \"sleep 0.4; exit 0\" TERM; \"$0\" \"$@\" & wait; wait', "
                + command.substring(1);
    }

    @Test
    void processDyingWhileServingIsRestartedByTheNextRequest() throws Exception {
        int port = freePort();
        start(processRoute("llama", port, demoCommand(port, "llama-demo", "0s", "1ms"),
                dir.resolve("llama.log"), "idleTimeout: 1m", null));
        assertThat(send(post(server, "llama", "/v1/models", "")).statusCode()).isEqualTo(200);
        long first = runningPid("llama");

        ProcessHandle.of(first).orElseThrow().destroyForcibly(); // SIGKILL
        await().atMost(Duration.ofSeconds(10)).until(() -> !alive(first));
        awaitState(server, "llama", "stopped");

        HttpResponse<String> r = send(post(server, "llama", "/v1/chat/completions", chat("back?", false, 64)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-wakegate-cold-start")).hasValue("true");
        long second = runningPid("llama");
        assertThat(second).isNotEqualTo(first);
        assertThat(metric("wakegate_interceptor_process_starts_total", "llama")).isEqualTo(2);
        Interceptors.awaitCountersZero(server);
    }

    @Test
    void groupMembersSwapAndNeverRunTogether() throws Exception {
        int portA = freePort();
        int portB = freePort();
        start(processRoute("a", portA, demoCommand(portA, "model-a", "200ms", "1ms"), dir.resolve("a.log"),
                "idleTimeout: 1m\ngroup: gpu0", null)
                + processRoute("b", portB, demoCommand(portB, "model-b", "200ms", "1ms"), dir.resolve("b.log"),
                "idleTimeout: 1m\ngroup: gpu0", null));

        // Sample both routes' pids all along: never two live processes at once.
        AtomicBoolean sampling = new AtomicBoolean(true);
        List<String> overlaps = Collections.synchronizedList(new ArrayList<>());
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                long a = pid(server, "a");
                long b = pid(server, "b");
                if (a > 0 && b > 0 && alive(a) && alive(b)) {
                    overlaps.add("a=" + a + " b=" + b);
                }
                LockSupport.parkNanos(5_000_000);
            }
        }, "pid-sampler");
        sampler.start();
        List<Long> seen = new ArrayList<>();
        try {
            for (String route : List.of("a", "b", "a")) {
                HttpResponse<String> r = send(post(server, route, "/v1/chat/completions", chat("swap", false, 64)));
                assertThat(r.statusCode()).as("route %s", route).isEqualTo(200);
                assertThat(r.body()).contains("Hello from model-" + route + "!");
                long pid = runningPid(route);
                seen.add(pid);
                String other = route.equals("a") ? "b" : "a";
                assertThat(state(server, other)).isIn("stopped");
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertThat(overlaps).isEmpty();
        assertThat(seen).doesNotHaveDuplicates();
        for (int i = 0; i < seen.size() - 1; i++) {
            assertThat(alive(seen.get(i))).isFalse();
        }
        Interceptors.awaitCountersZero(server);
    }

    @Test
    void swappingBackWhileTheOwnerStopsServesBothInTurn() throws Exception {
        int portA = freePort();
        int portB = freePort();
        String group = "idleTimeout: 1m\ngroup: gpu0";
        start(processRoute("a", portA, slowToStop(demoCommand(portA, "model-a", "0s", "1ms")), dir.resolve("a.log"),
                group, "coldStartTimeout: 20s")
                + processRoute("b", portB, demoCommand(portB, "model-b", "0s", "1ms"), dir.resolve("b.log"),
                group, "coldStartTimeout: 20s"));
        assertThat(send(post(server, "a", "/v1/models", "")).statusCode()).isEqualTo(200);
        pids.add(pid(server, "a"));

        // b asks a to yield; while a is stopping, a is wanted again: b runs, serves, then yields back.
        CompletableFuture<HttpResponse<String>> b = LocalProcesses.CLIENT.sendAsync(
                post(server, "b", "/v1/chat/completions", chat("to b", false, 64)), HttpResponse.BodyHandlers.ofString());
        awaitState(server, "a", "stopping");
        CompletableFuture<HttpResponse<String>> a = LocalProcesses.CLIENT.sendAsync(
                post(server, "a", "/v1/chat/completions", chat("back to a", false, 64)),
                HttpResponse.BodyHandlers.ofString());
        awaitState(server, "b", "ready");
        pids.add(pid(server, "b"));

        assertThat(b.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        HttpResponse<String> backToA = a.get(30, TimeUnit.SECONDS);
        assertThat(backToA.statusCode()).isEqualTo(200);
        assertThat(backToA.body()).contains("Hello from model-a! You said: back to a");
        pids.add(pid(server, "a"));
        assertThat(state(server, "b")).isEqualTo("stopped");
        Interceptors.awaitCountersZero(server);
    }

    @Test
    void shutdownStopsEveryChild() throws Exception {
        int port = freePort();
        start(processRoute("llama", port, demoCommand(port, "llama-demo", "0s", "1ms"),
                dir.resolve("llama.log"), "idleTimeout: 1m", null));
        assertThat(send(post(server, "llama", "/v1/models", "")).statusCode()).isEqualTo(200);
        long pid = runningPid("llama");
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();

        server.shutdown();

        assertThat(handle.isAlive()).isFalse();
        assertThat(ProcessHandle.current().descendants().filter(h -> h.pid() == pid)).isEmpty();
    }

    @Test
    void shutdownDuringAColdStartAnswersTheHeldRequestAndStopsTheChild() throws Exception {
        int port = freePort();
        start(processRoute("llama", port, demoCommand(port, "llama-demo", "1m", "1ms"),
                dir.resolve("llama.log"), "idleTimeout: 1m", null));
        CompletableFuture<HttpResponse<String>> held = LocalProcesses.CLIENT.sendAsync(
                post(server, "llama", "/v1/models", ""), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(20)).until(() -> pid(server, "llama") > 0);
        long pid = runningPid("llama");
        assertThat(state(server, "llama")).isEqualTo("starting");

        server.shutdown();

        HttpResponse<String> r = held.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("x-wakegate-reason")).hasValue("shutting-down");
        assertThat(alive(pid)).isFalse();
    }
}
