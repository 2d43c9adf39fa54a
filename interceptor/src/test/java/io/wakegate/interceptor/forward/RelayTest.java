package io.wakegate.interceptor.forward;

import static io.wakegate.interceptor.testing.Interceptors.awaitCountersZero;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.RawHttp;
import io.wakegate.interceptor.testing.TestBackend;
import java.io.IOException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Message framing, headers between hops, keep-alive, and how backend failures reach the client. */
class RelayTest {

    private final Fixture f = new Fixture();
    private TestBackend backend;

    @BeforeEach
    void start() throws Exception {
        backend = f.backend("b1");
        f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", "responseHeaderTimeout: 300ms"));
        f.sources.get("api").ready(backend.port());
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    @Test
    void headNoContentNotModifiedAndTrailersAreFramedExactly() throws Exception {
        try (RawHttp c = RawHttp.connect(f.port())) {
            // Pipelined on one connection: a framing mistake would garble the responses after it.
            c.send("HEAD /head HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /status/204 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /status/304 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /trailers HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            RawHttp.Response head = c.readResponse(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(Integer.toString("b1 HEAD /head".length()));
            assertThat(head.raw()).endsWith("\r\n\r\n");

            RawHttp.Response noContent = c.readResponse(false);
            assertThat(noContent.status()).isEqualTo(204);
            assertThat(noContent.hasHeader("transfer-encoding")).isFalse();
            assertThat(noContent.hasHeader("content-length")).isFalse();

            RawHttp.Response notModified = c.readResponse(false);
            assertThat(notModified.status()).isEqualTo(304);
            assertThat(notModified.hasHeader("transfer-encoding")).isFalse();

            RawHttp.Response trailers = c.readResponse(false);
            assertThat(trailers.status()).isEqualTo(200);
            assertThat(trailers.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(trailers.body()).isEqualTo("body");
            assertThat(trailers.trailers()).containsEntry("x-checksum", java.util.List.of("abc"));
            assertThat(trailers.raw()).endsWith("\r\n4\r\nbody\r\n0\r\nx-checksum: abc\r\n\r\n");

            RawHttp.Response last = c.readResponse(false);
            assertThat(last.body()).isEqualTo("b1 GET /last");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(backend.seenUris()).containsExactly("/head", "/status/204", "/status/304", "/trailers", "/last");
        awaitCountersZero(f.server());
    }

    @Test
    void hopByHopHeadersAreRemovedAndForwardedForIsAppended() throws Exception {
        try (RawHttp c = RawHttp.connect(f.port())) {
            RawHttp.Response r = c.send("GET /seen HTTP/1.1\r\nHost: api.example\r\n"
                    + "Connection: keep-alive, X-Custom-Hop\r\nX-Custom-Hop: secret\r\nKeep-Alive: timeout=5\r\n"
                    + "TE: trailers\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-seen-custom-hop")).isEqualTo("<none>");
            assertThat(r.header("x-seen-keep-alive")).isEqualTo("<none>");
            assertThat(r.header("x-seen-te")).isEqualTo("<none>");
            assertThat(r.header("x-seen-connection")).isIn("<none>", "keep-alive");
            assertThat(r.header("x-seen-host")).isEqualTo("api.example");
            assertThat(r.header("x-seen-forwarded-for")).isEqualTo("10.0.0.1, 127.0.0.1");
            assertThat(r.header("x-seen-forwarded-host")).isEqualTo("api.example");
            assertThat(r.header("x-seen-forwarded-proto")).isEqualTo("http");
            assertThat(r.header("x-wakegate-cold-start")).isEqualTo("false");

            RawHttp.Response hop = c.send("GET /hop HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(hop.status()).isEqualTo(200);
            assertThat(hop.hasHeader("x-resp-hop")).isFalse();
            assertThat(hop.hasHeader("keep-alive")).isFalse();
            assertThat(hop.hasHeader("proxy-authenticate")).isFalse();
            assertThat(hop.hasHeader("connection")).isFalse();
            assertThat(hop.header("x-end")).isEqualTo("kept");
        }
        awaitCountersZero(f.server());
    }

    @Test
    void requestHeadSplitAcrossReadsIsForwarded() throws Exception {
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("GET /split HTTP/1.1\r\nHo");
            Thread.sleep(100);
            c.send("st: a\r\nX-Pad: " + "p".repeat(3000) + "\r\n");
            Thread.sleep(100);
            RawHttp.Response r = c.send("\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("b1 GET /split");
        }
        awaitCountersZero(f.server());
    }

    @Test
    void backendCrashMidResponseCutsTheClientStream() throws Exception {
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("GET /crash HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThatThrownBy(() -> c.readResponse(false)).isInstanceOf(IOException.class)
                    .hasMessageContaining("closed after 7 of 1000 bytes");
        }
        assertThatThrownBy(() -> f.client.send(f.request("/crash").build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        awaitCountersZero(f.server());
    }

    @Test
    void backendClosingBeforeRespondingAnswers502() throws Exception {
        HttpResponse<String> r = f.client.send(f.request("/hangup").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.headers().firstValue("x-wakegate-reason")).hasValue("backend-failed");
        assertThat(r.body()).contains("\"reason\":\"backend-failed\"");
        awaitCountersZero(f.server());
    }

    @Test
    void backendSlowToStartItsResponseAnswers504() throws Exception {
        HttpResponse<String> r = f.client.send(f.request("/slow?ms=3000").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.headers().firstValue("x-wakegate-reason")).hasValue("response-header-timeout");
        awaitCountersZero(f.server());
        // The connection that timed out is not reused: the next request gets a fresh answer.
        HttpResponse<String> next = f.client.send(f.request("/next").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(next.body()).isEqualTo("b1 GET /next");
    }

    @Test
    void keepAliveReusesOneBackendConnection() throws Exception {
        try (RawHttp c = RawHttp.connect(f.port())) {
            for (int i = 0; i < 5; i++) {
                RawHttp.Response r = c.send("GET /k/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
                assertThat(r.body()).isEqualTo("b1 GET /k/" + i);
            }
        }
        assertThat(backend.requests()).isEqualTo(5);
        assertThat(backend.openConnections()).isEqualTo(1);
        awaitCountersZero(f.server());
    }

    @Test
    void bodyDelimitedByTheBackendClosingIsRelayedWhole() throws Exception {
        HttpResponse<String> r = f.client.send(f.request("/until-close").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("until-close body");
        awaitCountersZero(f.server());
    }
}
