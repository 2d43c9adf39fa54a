package io.wakegate.interceptor.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LocalProcesses;
import io.wakegate.interceptor.testing.ManualEndpointSource;
import io.wakegate.interceptor.testing.TestBackend;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A failover backend that its source still reports ready but that refuses the connection (it went
 * away between two probes): the request goes back to wait for its own route, and when that
 * route's backend answers, the answer is the route's own — not marked as a failover, and not
 * carrying what was set for the failover (its Host, its {@code hold.failover.headers}). Readiness
 * is driven by the test ({@link ManualEndpointSource}), so the refused connect is certain.
 */
class FailoverConnectRefusedTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    @Test
    void aRequestWhoseFailoverRefusedTheConnectionIsAnsweredByItsOwnBackendAsItsOwn() throws Exception {
        TestBackend own = f.backend("model");
        int refusing = LocalProcesses.freePort(); // nobody listens
        InterceptorServer wakegate = f.startManual("routes:\n" + Interceptors.manualRoute("fo", "/fo", """
                hold:
                  coldStartTimeout: 20s
                  failover:
                    url: http://127.0.0.1:%d
                    after: 300ms
                    headers: {X-Custom-Hop: for-the-failover-only}
                """.formatted(refusing)));
        ManualEndpointSource failover = f.sources.get("fo (failover)");
        failover.ready(refusing);

        CompletableFuture<HttpResponse<String>> response = f.get("/fo/x");
        await().atMost(Duration.ofSeconds(10)).until(() -> failover.connectFailures() >= 1);
        // Refused before any byte went out: held again on its route, not answered 502.
        Interceptors.awaitHeld(wakegate, "fo", 1);
        assertThat(response).isNotDone();

        f.sources.get("fo").ready(own.port());
        HttpResponse<String> r = response.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("model GET /fo/x");
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(r.headers().firstValue("x-wakegate-failover")).as("answered by the route's own backend")
                    .isEmpty();
            soft.assertThat(r.headers().firstValue("x-seen-custom-hop"))
                    .as("a failover-only header, as the own backend saw it").hasValue("<none>");
            soft.assertThat(r.headers().firstValue("x-seen-host")).as("Host, as the own backend saw it")
                    .hasValue("127.0.0.1:" + f.port());
        });
        Interceptors.awaitCountersZero(wakegate);
    }
}
