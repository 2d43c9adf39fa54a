package io.wakegate.interceptor.hold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LocalProcesses;
import io.wakegate.interceptor.testing.TestBackend;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code hold.failover} with the real endpoint sources: the route's own backend is a static URL
 * on a closed port (never ready), the failover a live {@link TestBackend} that the interceptor
 * probes itself, as the source created for {@code "<route> (failover)"}. Nothing here drives
 * readiness by hand: what the failover's probe sees decides where a held request goes.
 */
class FailoverStaticTest {

    private static final Duration COLD_START_TIMEOUT = Duration.ofSeconds(5);

    private final Fixture f = new Fixture();
    private TestBackend failover;
    private boolean failoverClosed;
    private String primaryUrl;
    private InterceptorServer wakegate;

    @BeforeEach
    void start() throws Exception {
        failover = TestBackend.start("small"); // closed by the test or after it, once
        primaryUrl = "http://127.0.0.1:" + LocalProcesses.freePort(); // nobody listens: never ready
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
        closeFailover();
    }

    private void closeFailover() {
        if (!failoverClosed) {
            failoverClosed = true;
            failover.close();
        }
    }

    /** The routes with {@code primary}'s hold section as given (YAML, without the {@code hold:} key). */
    private String routes(String hold) {
        return "routes:\n" + Interceptors.staticRoute("primary", "/fo", primaryUrl, "hold:\n" + hold.indent(2));
    }

    private String withFailover(String after) {
        return routes("""
                coldStartTimeout: %ds
                failover: {url: %s, after: %s}
                """.formatted(COLD_START_TIMEOUT.toSeconds(), failover.url(), after));
    }

    /** {@code /api/routes}' entry for the route. */
    private JsonNode primary() {
        JsonNode doc = LocalProcesses.parse(Interceptors.admin(wakegate, "/api/routes").body());
        for (JsonNode r : doc.path("routes")) {
            if (r.path("name").asText().equals("primary")) {
                return r;
            }
        }
        throw new AssertionError("no route primary in /api/routes: " + doc);
    }

    private void awaitFailoverReady(boolean ready) {
        await().alias("failover ready=" + ready).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> primary().at("/whileHeld/failover/ready").asBoolean(!ready) == ready);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return f.get(path).get(30, TimeUnit.SECONDS);
    }

    private String metrics() {
        return Interceptors.admin(wakegate, "/metrics").body();
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /** Held until the route's cold-start timeout: the usual 504, not a failover. */
    private void assertHeldUntilTimeout(String path) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = get(path);
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(COLD_START_TIMEOUT.toMillis());
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.headers().firstValue("x-wakegate-reason")).hasValue("cold-start-timeout");
        assertThat(r.headers().firstValue("x-wakegate-failover")).isEmpty();
    }

    @Test
    void aHeldRequestGoesToTheLiveFailoverAndNothingGoesToItOnceItsProbeSeesItGone() throws Exception {
        wakegate = f.startStatic(withFailover("300ms"));
        awaitFailoverReady(true);
        JsonNode shown = primary().at("/whileHeld/failover");
        assertThat(shown.path("url").asText()).isEqualTo(failover.url());
        assertThat(shown.path("afterMillis").asLong()).isEqualTo(300);
        assertThat(shown.path("onQueueFull").asBoolean()).isTrue();
        assertThat(primary().path("state").asText()).isEqualTo("sleeping");

        long start = System.nanoTime();
        HttpResponse<String> r = get("/fo/hello");
        assertThat(millisSince(start)).as("held for the failover delay first").isGreaterThanOrEqualTo(300);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("small GET /fo/hello");
        assertThat(r.headers().firstValue("x-wakegate-failover")).hasValue("true");
        assertThat(r.headers().firstValue("x-seen-host")).hasValue(failover.url().substring("http://".length()));
        assertThat(failover.requests()).isEqualTo(1);
        assertThat(metrics()).contains(
                "wakegate_interceptor_failovers_total{cause=\"after-hold\",route=\"primary\"} 1.0",
                "wakegate_interceptor_failovers_total{cause=\"queue-full\",route=\"primary\"} 0.0");
        Interceptors.awaitCountersZero(wakegate);

        // The failover goes away; once its own probe has noticed, a held request waits as if there
        // were no failover, and nothing is sent to the dead address.
        closeFailover();
        awaitFailoverReady(false);
        assertHeldUntilTimeout("/fo/again");
        assertThat(failover.requests()).isEqualTo(1);
        assertThat(metrics()).contains(
                "wakegate_interceptor_failovers_total{cause=\"after-hold\",route=\"primary\"} 1.0");
        assertThat(primary().at("/whileHeld/failover/ready").asBoolean()).isFalse();
        Interceptors.awaitCountersZero(wakegate);
    }

    @Test
    void aReloadKeepsTheFailoversProbeStateWhileItsUrlStaysAndWithoutFailoverRequestsWaitForTheTimeout()
            throws Exception {
        wakegate = f.startStatic(withFailover("300ms"));
        awaitFailoverReady(true);
        assertThat(get("/fo/before").headers().firstValue("x-wakegate-failover")).hasValue("true");
        long version = wakegate.routes().current().version();

        // Only the timing changes: the failover backend, and what its probe knows, stay.
        wakegate.reload(Interceptors.config(withFailover("200ms")));
        assertThat(wakegate.routes().current().version()).isGreaterThan(version);
        JsonNode shown = primary().at("/whileHeld/failover");
        assertThat(shown.path("afterMillis").asLong()).isEqualTo(200);
        assertThat(shown.path("ready").asBoolean()).as("ready at once, not re-probed from scratch").isTrue();
        assertThat(get("/fo/retimed").body()).isEqualTo("small GET /fo/retimed");

        // No failover any more: the live failover backend gets nothing, the request waits out its timeout.
        wakegate.reload(Interceptors.config(routes("coldStartTimeout: %ds\n".formatted(
                COLD_START_TIMEOUT.toSeconds()))));
        assertThat(primary().path("whileHeld").isNull()).as("whileHeld: %s", primary().path("whileHeld")).isTrue();
        assertHeldUntilTimeout("/fo/after");
        assertThat(failover.requests()).isEqualTo(2);
        assertThat(failover.seenUris()).containsExactly("/fo/before", "/fo/retimed");
        assertThat(metrics()).contains(
                "wakegate_interceptor_failovers_total{cause=\"after-hold\",route=\"primary\"} 2.0");
        Interceptors.awaitCountersZero(wakegate);
    }
}
