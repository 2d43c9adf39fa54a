package io.wakegate.interceptor.http;

import static io.wakegate.interceptor.testing.Interceptors.awaitCountersZero;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.RawHttp;
import io.wakegate.interceptor.testing.TestBackend;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Malformed, smuggling-prone and oversized requests never reach a backend. */
class BadInputTest {

    private final Fixture f = new Fixture();
    private TestBackend backend;

    @BeforeEach
    void start() throws Exception {
        backend = f.backend("b1");
        f.startManual("""
                limits: {maxRequestBodySize: 1KiB, maxHeaderSize: 4KiB, maxInitialLineLength: 1KiB,
                         requestHeaderTimeout: 300ms}
                routes:
                """ + Interceptors.manualRoute("api", "/api", null));
        f.sources.get("api").ready(backend.port());
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    /** Sends {@code raw}, expects one error response, then the connection closed. */
    private RawHttp.Response rejected(String raw, int status, String reason) throws Exception {
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send(raw);
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).as(r.raw()).isEqualTo(status);
            assertThat(r.header("x-wakegate-reason")).isEqualTo(reason);
            assertThat(r.header("x-wakegate-cold-start")).isEqualTo("false");
            assertThat(r.header("content-type")).isEqualTo("application/json");
            assertThat(r.body()).contains("\"reason\":\"" + reason + "\"").contains("\"error\":");
            assertThat(c.closedByPeer()).as("connection closed after %s", status).isTrue();
            return r;
        }
    }

    private void backendSawNothing() {
        assertThat(backend.requests()).isZero();
        awaitCountersZero(f.server());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // Content-Length and Transfer-Encoding together
        "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        // two different Content-Length values
        "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\nhelloGET /api/smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        // two equal Content-Length values
        "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        // Content-Length list
        "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello",
        // chunked is not the final coding
        "POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        // a transfer coding without chunked
        "POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        // obfuscated Transfer-Encoding
        "POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        // bare LF line endings
        "GET /api/x HTTP/1.1\nHost: a\n\n",
        // bare LF inside the head
        "GET /api/x HTTP/1.1\r\nHost: a\nX-Other: b\r\n\r\n",
        // Transfer-Encoding in HTTP/1.0
        "POST /api/x HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        // no Host in HTTP/1.1
        "GET /api/x HTTP/1.1\r\nX-A: b\r\n\r\n",
        // two Host fields
        "GET /api/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        // two hosts in one Host field, with and without a space
        "GET /api/x HTTP/1.1\r\nHost: warm.test, evil.test\r\n\r\n",
        "GET /api/x HTTP/1.1\r\nHost: warm.test,evil.test\r\n\r\n",
        // a Host that is not host[:port]
        "GET /api/x HTTP/1.1\r\nHost: warm.test:80x\r\n\r\n",
        "GET /api/x HTTP/1.1\r\nHost: warm test\r\n\r\n",
        // garbage
        "HELLO\r\n\r\n",
    })
    void smugglingAndMalformedRequestsGet400AndCloseWithoutReachingTheBackend(String raw) throws Exception {
        rejected(raw, 400, "bad-request");
        backendSawNothing();
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/2.0", "HTTP/3.0"})
    void aRequestLineOfAnotherMajorVersionGets505(String version) throws Exception {
        rejected("GET /api/x " + version + "\r\nHost: a\r\n\r\n", 505, "version-not-supported");
        backendSawNothing();
    }

    @Test
    void validHostsWithPortsAndIpLiteralsPass() {
        assertThat(RequestGuard.isHostAndPort("warm.test")).isTrue();
        assertThat(RequestGuard.isHostAndPort("warm.test:8080")).isTrue();
        assertThat(RequestGuard.isHostAndPort("[::1]:80")).isTrue();
        assertThat(RequestGuard.isHostAndPort("127.0.0.1")).isTrue();
        assertThat(RequestGuard.isHostAndPort("")).isTrue();
        assertThat(RequestGuard.isHostAndPort("[::1")).isFalse();
        assertThat(RequestGuard.isHostAndPort("a:123456")).isFalse();
    }

    @Test
    void oversizedHeadersGet431() throws Exception {
        rejected("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: " + "a".repeat(8 * 1024) + "\r\n\r\n", 431,
                "headers-too-large");
        backendSawNothing();
    }

    @Test
    void oversizedRequestLineGets414() throws Exception {
        rejected("GET /api/" + "a".repeat(2 * 1024) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, "uri-too-long");
        backendSawNothing();
    }

    @Test
    void bodyOverTheLimitByContentLengthGets413() throws Exception {
        rejected("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2048\r\n\r\n" + "a".repeat(100), 413,
                "body-too-large");
        backendSawNothing();
    }

    @Test
    void bodyOverTheLimitWhileStreamingChunksGets413() throws Exception {
        String chunk = Integer.toHexString(600) + "\r\n" + "a".repeat(600) + "\r\n";
        RawHttp.Response r = rejected("POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk + chunk + chunk + "0\r\n\r\n", 413, "body-too-large");
        assertThat(r.body()).contains("\"route\":\"api\"");
        assertThat(backend.bytesReceived()).isLessThanOrEqualTo(1024);
        awaitCountersZero(f.server());
    }

    @Test
    void connectGets405() throws Exception {
        rejected("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 405, "method-not-allowed");
        backendSawNothing();
    }

    @Test
    void absoluteFormNamingAnotherHostGets400() throws Exception {
        rejected("GET http://evil.example/api/x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "host-mismatch");
        backendSawNothing();
    }

    @Test
    void absoluteFormNamingTheHostIsForwardedInOriginForm() throws Exception {
        try (RawHttp c = RawHttp.connect(f.port())) {
            RawHttp.Response r = c.send("GET http://a/api/x?q=1 HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("b1 GET /api/x?q=1");
        }
        awaitCountersZero(f.server());
    }

    @Test
    void noRouteGets404WithJsonBodyAndKeepsTheConnection() throws Exception {
        try (RawHttp c = RawHttp.connect(f.port())) {
            RawHttp.Response r = c.send("GET /elsewhere HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("x-wakegate-reason")).isEqualTo("no-route");
            assertThat(r.header("x-wakegate-cold-start")).isEqualTo("false");
            assertThat(r.body()).startsWith("{\"error\":").contains("\"reason\":\"no-route\"");
            RawHttp.Response next = c.send("GET /api/next HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(next.status()).isEqualTo(200);
        }
        assertThat(backend.seenUris()).containsExactly("/api/next");
    }

    @Test
    void connectionThatDoesNotFinishItsHeadersInTimeIsClosed() throws Exception {
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Slow: ");
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).until(c::closedByPeer);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
        backendSawNothing();
    }
}
