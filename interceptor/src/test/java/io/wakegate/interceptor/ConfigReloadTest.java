package io.wakegate.interceptor;

import static io.wakegate.interceptor.testing.LocalProcesses.alive;
import static io.wakegate.interceptor.testing.LocalProcesses.chat;
import static io.wakegate.interceptor.testing.LocalProcesses.demoCommand;
import static io.wakegate.interceptor.testing.LocalProcesses.freePort;
import static io.wakegate.interceptor.testing.LocalProcesses.pid;
import static io.wakegate.interceptor.testing.LocalProcesses.post;
import static io.wakegate.interceptor.testing.LocalProcesses.processRoute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.config.ConfigLoader;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LocalProcesses;
import io.wakegate.interceptor.testing.LogCapture;
import io.wakegate.interceptor.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload as the {@code wakegate} command wires it ({@link Wakegate#watch}): a real config file
 * in its own folder, edited while real requests run.
 */
class ConfigReloadTest {

    private static final Duration POLL = Duration.ofMillis(20);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Path file;
    private InterceptorServer server;

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    /** Writes {@code routes} to {@code conf/wakegate.yaml}, starts Wakegate on it and watches it. */
    private void start(String routes) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        file = conf.resolve("wakegate.yaml");
        Files.writeString(file, document(routes));
        server = closeLater(InterceptorServer.start(ConfigLoader.load(file)));
        closeLater(Wakegate.watch(file, POLL, server));
    }

    private static String document(String routes) {
        return Interceptors.TEST_SERVER + "shutdown: {readinessDelay: 0s, drainTimeout: 1s}\nroutes:\n" + routes;
    }

    /** Replaces the file the way editors do: write aside, rename over. */
    private void replace(String routes) throws Exception {
        Path tmp = file.resolveSibling("wakegate.yaml.tmp");
        Files.writeString(tmp, document(routes));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private long tableVersion() {
        return server.routes().current().version();
    }

    @Test
    void anUnchangedProcessRouteKeepsItsProcessAndHeldRequestWhenAnotherRouteIsEdited() throws Exception {
        TestBackend other = closeLater(TestBackend.start("other"));
        int port = freePort();
        // Relative log file, default working directory: both start at the config file's folder.
        String model = processRoute("model", port, demoCommand(port, "model-demo", "1500ms", "10ms"),
                Path.of("logs/model.log"), null, "coldStartTimeout: 30s");
        start(model + Interceptors.staticRoute("other", "/other", other.url(), "hold: {maxPendingRequests: 10}"));

        CompletableFuture<HttpResponse<String>> held = LocalProcesses.CLIENT.sendAsync(
                post(server, "model", "/v1/chat/completions", chat("hi", false, 8)), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(20)).until(() -> pid(server, "model") > 0);
        long pid = pid(server, "model");
        Interceptors.awaitHeld(server, "model", 1); // still loading: held across the reload
        long version = tableVersion();

        replace(model + Interceptors.staticRoute("other", "/other", other.url(), "hold: {maxPendingRequests: 20}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> tableVersion() > version);

        HttpResponse<String> response = held.get(60, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("Hello from model-demo!");
        assertThat(pid(server, "model")).isEqualTo(pid);
        assertThat(alive(pid)).isTrue();
        assertThat(file.resolveSibling("logs").resolve("model.log")).content().contains("starting route model");
        server.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));
    }

    @Test
    void aFileRewrittenInPlaceUnderLoadIsNeverAppliedHalfWritten() throws Exception {
        TestBackend a = closeLater(TestBackend.start("a"));
        TestBackend b = closeLater(TestBackend.start("b"));
        String routeA = Interceptors.staticRoute("a", "/a", a.url(), null);
        String routeB = Interceptors.staticRoute("b", "/b", b.url(), null);
        start(routeA + routeB);
        for (String path : List.of("/a/warm", "/b/warm")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> get(path).statusCode() == 200);
        }
        long version = tableVersion();

        AtomicBoolean writing = new AtomicBoolean(true);
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            String path = c % 2 == 0 ? "/a/load" : "/b/load";
            clients.add(CompletableFuture.runAsync(() -> {
                while (writing.get()) {
                    statuses.computeIfAbsent(get(path).statusCode(), s -> new AtomicInteger()).incrementAndGet();
                }
            }));
        }
        // Rewritten in place, as `cat > file` or a naive editor does: truncate, then write in two parts.
        byte[] head = document(routeA).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 15; i++) {
            byte[] tail = (routeB + "# rewrite " + i + "\n").getBytes(StandardCharsets.UTF_8);
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                Thread.sleep(5);
                out.write(java.nio.ByteBuffer.wrap(head));
                Thread.sleep(5);
                out.write(java.nio.ByteBuffer.wrap(tail));
            }
            Thread.sleep(150);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> tableVersion() > version);
        writing.set(false);
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(statuses.keySet()).as("statuses seen (count by status: %s)", statuses).containsOnly(200);
        assertThat(statuses.get(200).get()).isGreaterThan(100);
        assertThat(server.routes().current().routes()).containsOnlyKeys("a", "b");
    }

    @Test
    void anInvalidReloadIsLoggedOnceAndTheRoutesKept() throws Exception {
        TestBackend a = closeLater(TestBackend.start("a"));
        String routeA = Interceptors.staticRoute("a", "/a", a.url(), null);
        start(routeA);
        try (LogCapture logs = new LogCapture()) {
            replace(routeA + "  - name: broken\n    backend: {static: {urls: [http://127.0.0.1:9]}}\n    matsh: {}\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("matsh").isEmpty());
            Thread.sleep(POLL.toMillis() * 15); // several more polls
            assertThat(logs.containing("matsh")).hasSize(1).first().asString().startsWith("ERROR ");
        }
        assertThat(server.routes().current().routes()).containsOnlyKeys("a");
    }

    private HttpResponse<String> get(String path) {
        try {
            return LocalProcesses.CLIENT.send(HttpRequest.newBuilder(URI.create(Interceptors.base(server) + path))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
