package io.wakegate.interceptor.backend.process;

import static io.wakegate.interceptor.testing.LocalProcesses.alive;
import static io.wakegate.interceptor.testing.LocalProcesses.chat;
import static io.wakegate.interceptor.testing.LocalProcesses.demoCommand;
import static io.wakegate.interceptor.testing.LocalProcesses.freePort;
import static io.wakegate.interceptor.testing.LocalProcesses.post;
import static io.wakegate.interceptor.testing.LocalProcesses.processRoute;
import static io.wakegate.interceptor.testing.LocalProcesses.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.testing.LocalProcesses;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wakegate run as its own JVM, the way a user runs it: whether it ends by SIGTERM or is killed
 * outright, no child process outlives it.
 */
class ProcessOrphansTest {

    @TempDir
    Path dir;

    private Process wakegate;
    private long child = -1;

    @AfterEach
    void cleanUp() {
        if (wakegate != null) {
            wakegate.destroyForcibly();
        }
        if (child > 0) {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly); // never leave one behind
        }
    }

    /** Starts {@code wakegate --config} in a new JVM with one demo route, and wakes that route. */
    private void startWakegateAndWake() throws Exception {
        int proxyPort = freePort();
        int adminPort = freePort();
        int backendPort = freePort();
        Path config = dir.resolve("wakegate.yaml");
        Files.writeString(config, """
                server: {bindAddress: 127.0.0.1, port: %d, adminBindAddress: 127.0.0.1, adminPort: %d}
                shutdown: {readinessDelay: 0s, drainTimeout: 5s}
                routes:
                %s""".formatted(proxyPort, adminPort, processRoute("llama", backendPort,
                demoCommand(backendPort, "llama-demo", "0s", "1ms"), dir.resolve("llama.log"), "idleTimeout: 1m",
                null)));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        wakegate = new ProcessBuilder(List.of(java.toString(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                "io.wakegate.interceptor.Wakegate", "--config", config.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("wakegate.out").toFile()).start();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> admin(adminPort, "/readyz").statusCode() == 200);
        HttpResponse<String> r = send(post(proxyPort, "llama", "/v1/chat/completions", chat("hello", false, 64)));
        assertThat(r.statusCode()).as(output()).isEqualTo(200);
        String queue = admin(adminPort, "/queue").body();
        child = LocalProcesses.parse(queue).path("routes").path(0).path("backend").path("pid").asLong(-1);
        assertThat(child).as(queue).isPositive();
        assertThat(alive(child)).isTrue();
    }

    private static HttpResponse<String> admin(int port, String path) throws IOException, InterruptedException {
        return LocalProcesses.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String output() {
        try {
            return Files.readString(dir.resolve("wakegate.out"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void sigtermStopsWakegateAndItsChildAndExitsZero() throws Exception {
        startWakegateAndWake();

        wakegate.destroy(); // SIGTERM

        assertThat(wakegate.waitFor(30, TimeUnit.SECONDS)).as(output()).isTrue();
        assertThat(wakegate.exitValue()).as(output()).isZero();
        assertThat(alive(child)).as("child %d after Wakegate exited", child).isFalse();
    }

    @Test
    void sigkilledWakegateLeavesNoChildBehind() throws Exception {
        startWakegateAndWake();

        wakegate.destroyForcibly(); // SIGKILL: no Java code of Wakegate runs any more
        assertThat(wakegate.waitFor(10, TimeUnit.SECONDS)).isTrue();

        // The reaper sends SIGTERM at once, SIGKILL after its grace (10 s).
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> !alive(child));
    }
}
