package io.wakegate.interceptor.backend.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wakegate.interceptor.backend.Endpoint;
import io.wakegate.interceptor.backend.EndpointListener;
import io.wakegate.interceptor.backend.StartFailure;
import io.wakegate.interceptor.config.ProcessBackendConfig;
import io.wakegate.interceptor.testing.Interceptors;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process source replaced by a reload says nothing more to the route's gate: its failures
 * are not the failures of the replacement the held requests now wait for.
 */
class ClosedProcessSourceTest {

    @TempDir
    Path dir;

    @Test
    void aSourceClosedBeforeItsFailedStartIsReportedReportsNothing() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // The start fails before any process runs: the log file's directory cannot be created.
        Path blocker = Files.writeString(dir.resolve("blocker"), "a file, not a directory");
        ProcessBackendConfig config = Interceptors.config("""
                routes:
                  - name: llama
                    match: {pathPrefixes: [/]}
                    backend:
                      process:
                        command: [%s]
                        port: %d
                        logFile: %s
                """.formatted("true", port, blocker.resolve("llama.log")))
                .routes().get(0).backend().processBackend();
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch busy = new CountDownLatch(1);
        executor.execute(() -> {
            try {
                busy.await(); // the spawn below queues behind this, so close() comes first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<String> heard = new CopyOnWriteArrayList<>();
        ProcessEndpointSource source = new ProcessEndpointSource("llama", config, executor, null,
                new ProcessReaper(1), new SimpleMeterRegistry(), () -> { });
        source.start(new EndpointListener() {
            @Override
            public void endpointsChanged(List<Endpoint> ready) {
                heard.add("endpoints " + ready);
            }

            @Override
            public void startFailed(StartFailure failure) {
                heard.add("start failed: " + failure.detail());
            }

            @Override
            public boolean hasWaiters() {
                return true;
            }

            @Override
            public int inFlight() {
                return 0;
            }
        });

        source.wake();
        source.close();
        busy.countDown();
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(heard).isEmpty();
    }
}
