package io.wakegate.interceptor.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The URLs of one static route are probed in parallel: a slow one does not hold back the rest. */
class StaticProbeRoundTest {

    private final ScheduledExecutorService rounds = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService fanOut = Executors.newCachedThreadPool();
    private final List<ServerSocket> servers = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        rounds.shutdownNow();
        fanOut.shutdownNow();
        for (ServerSocket s : servers) {
            s.close();
        }
    }

    /** A backend that answers its health check only once every backend has been asked. */
    private URI backendAnsweringWhenAllAreAsked(CountDownLatch asked) throws IOException {
        ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        servers.add(server);
        Thread t = new Thread(() -> {
            while (true) {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    while (!new String(in.readNBytes(1), StandardCharsets.US_ASCII).equals("\n")
                            || in.available() > 0) {
                        // read the request line and headers (small; sent at once)
                    }
                    asked.countDown();
                    asked.await(10, TimeUnit.SECONDS);
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "probed-backend");
        t.setDaemon(true);
        t.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    @Test
    void theFirstRoundFindsEveryUrlReadyEvenWhenEachAnswersOnlyAfterTheOthersWereAsked() throws Exception {
        CountDownLatch asked = new CountDownLatch(3);
        List<URI> urls = List.of(backendAnsweringWhenAllAreAsked(asked), backendAnsweringWhenAllAreAsked(asked),
                backendAnsweringWhenAllAreAsked(asked));
        List<List<Endpoint>> reports = new CopyOnWriteArrayList<>();
        StaticEndpointSource source = new StaticEndpointSource("r", urls,
                new HealthProbe("/health", Duration.ofSeconds(5)), Duration.ofMinutes(1), rounds, fanOut);
        source.start(new EndpointListener() {
            @Override
            public void endpointsChanged(List<Endpoint> ready) {
                reports.add(ready);
            }

            @Override
            public void startFailed(StartFailure failure) {
            }

            @Override
            public boolean hasWaiters() {
                return false;
            }

            @Override
            public int inFlight() {
                return 0;
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> !reports.isEmpty());
        assertThat(reports.get(0)).as("one round probed all three at once").hasSize(3);
        source.close();
    }
}
