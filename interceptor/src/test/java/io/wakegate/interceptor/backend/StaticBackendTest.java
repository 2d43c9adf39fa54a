package io.wakegate.interceptor.backend;

import static io.wakegate.interceptor.testing.Interceptors.awaitHeld;
import static io.wakegate.interceptor.testing.LocalProcesses.freePort;
import static io.wakegate.interceptor.testing.LocalProcesses.queueEntry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LogCapture;
import io.wakegate.interceptor.testing.TestBackend;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Static backends seen from the operator's side: what the log and {@code /queue} say while requests wait. */
class StaticBackendTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    @Test
    void requestsWaitingOnARefusingBackendAreLoggedOnceAndTheProbeErrorShownInQueue() throws Exception {
        int port = freePort(); // nothing listens: every probe is refused
        try (LogCapture logs = new LogCapture()) {
            InterceptorServer server = f.startStatic("routes:\n"
                    + Interceptors.staticRoute("api", "/", "http://127.0.0.1:" + port, null));
            CompletableFuture<HttpResponse<String>> first = f.get("/1");
            awaitHeld(server, "api", 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("route api: requests wait").isEmpty());
            CompletableFuture<HttpResponse<String>> second = f.get("/2");
            awaitHeld(server, "api", 2);
            Thread.sleep(10 * StaticEndpointSource.EAGER_INTERVAL.toMillis()); // ten more failed rounds

            assertThat(logs.containing("route api: requests wait")).hasSize(1).first().asString()
                    .startsWith("WARN ").contains("127.0.0.1:" + port + "/health").contains("Connection refused");
            assertThat(queueEntry(server, "api").path("backend").path("lastProbeError").asText())
                    .contains("127.0.0.1:" + port).contains("Connection refused");

            f.closeLater(TestBackend.start("late", port));
            assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(queueEntry(server, "api").path("backend").path("lastProbeError").isNull()).isTrue();
            assertThat(logs.containing("route api: requests wait")).hasSize(1);
        }
    }
}
