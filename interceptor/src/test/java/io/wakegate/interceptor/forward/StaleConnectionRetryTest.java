package io.wakegate.interceptor.forward;

import static io.wakegate.interceptor.testing.Interceptors.awaitCountersZero;
import static org.assertj.core.api.Assertions.assertThat;

import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.RawHttp;
import io.wakegate.interceptor.testing.ScriptedBackend;
import io.wakegate.interceptor.testing.ScriptedBackend.Step;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A pooled connection the backend closed just after reading a request is replaced by a fresh
 * one, which gets the whole request — head and end — and is then as good as any other.
 */
class StaleConnectionRetryTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private ScriptedBackend start(ScriptedBackend.Script script) throws Exception {
        ScriptedBackend backend = f.closeLater(ScriptedBackend.start(script));
        f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", "responseHeaderTimeout: 300ms"));
        f.sources.get("api").ready(backend.port());
        return backend;
    }

    private static RawHttp.Response get(RawHttp c, String path) throws Exception {
        c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n");
        return c.readResponse(false);
    }

    @Test
    void theRetriedConnectionGetsTheWholeRequestAndServesTheNextOne() throws Exception {
        // The first connection answers one request, then closes after reading the second.
        ScriptedBackend backend = start((connection, request) ->
                connection == 0 && request == 1 ? Step.CLOSE : Step.ANSWER);
        try (RawHttp c = RawHttp.connect(f.port())) {
            assertThat(get(c, "/1").status()).isEqualTo(200);
            assertThat(get(c, "/2").status()).as("retried on a fresh connection").isEqualTo(200);
            assertThat(get(c, "/3").status()).isEqualTo(200);
        }
        assertThat(backend.heads()).containsExactly("GET /1 HTTP/1.1", "GET /2 HTTP/1.1", "GET /2 HTTP/1.1",
                "GET /3 HTTP/1.1");
        assertThat(backend.connections()).as("the fresh connection was complete, so it served /3 too").isEqualTo(2);
        awaitCountersZero(f.server());
    }

    @Test
    void aRetriedRequestStillHasItsResponseHeaderTimeout() throws Exception {
        // The fresh connection takes the retried request and never answers.
        start((connection, request) -> connection == 0 && request == 1 ? Step.CLOSE
                : connection == 0 ? Step.ANSWER : Step.SILENT);
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.socket().setSoTimeout(20_000); // a guard: the 504 comes after 300 ms
            assertThat(get(c, "/1").status()).isEqualTo(200);
            RawHttp.Response r = get(c, "/2");
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.header("x-wakegate-reason")).isEqualTo("response-header-timeout");
        }
        awaitCountersZero(f.server());
    }
}
