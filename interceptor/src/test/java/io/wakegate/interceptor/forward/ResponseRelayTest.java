package io.wakegate.interceptor.forward;

import static io.wakegate.interceptor.testing.Interceptors.awaitCountersZero;
import static org.assertj.core.api.Assertions.assertThat;

import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.RawHttp;
import io.wakegate.interceptor.testing.ScriptedBackend;
import io.wakegate.interceptor.testing.ScriptedBackend.After;
import io.wakegate.interceptor.testing.ScriptedBackend.Step;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What of a backend's response head reaches the client: Wakegate's own version and connection handling. */
class ResponseRelayTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private void start(Step step) throws Exception {
        ScriptedBackend backend = f.closeLater(ScriptedBackend.start((connection, request) -> step));
        f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", null));
        f.sources.get("api").ready(backend.port());
    }

    @Test
    void anHttp10BackendsResponseReachesTheClientAsHttp11() throws Exception {
        start(Step.reply("HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok", After.CLOSE));
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("GET /old HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.raw()).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(r.body()).isEqualTo("ok");
            c.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n"); // the client connection stays usable
            assertThat(c.readResponse(false).raw()).startsWith("HTTP/1.1 200 OK\r\n");
        }
        awaitCountersZero(f.server());
    }

    @Test
    void anEarlyAnswerThatEndsTheConnectionSaysSo() throws Exception {
        start(Step.reply("HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n", After.DRAIN));
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(100));
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.header("connection")).as("the rest of the body will not be read").isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        awaitCountersZero(f.server());
    }

    @Test
    void anUnsolicited101IsAnInvalidResponse() throws Exception {
        start(Step.reply("HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\nconnection: upgrade\r\n\r\n",
                After.DRAIN));
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("GET /plain HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("x-wakegate-reason")).isEqualTo("backend-failed");
        }
        awaitCountersZero(f.server());
    }

    @Test
    void aSmallResponseWhoseBackendClosesBeforeItsBodyIsAnswered502NotCut() throws Exception {
        // A small fixed-length response's head waits for its body, to leave with it in one flush:
        // nothing has reached the client when the backend closes, so it can still get an answer.
        start(Step.reply("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n", After.CLOSE));
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("GET /small HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("x-wakegate-reason")).isEqualTo("backend-failed");
        }
        awaitCountersZero(f.server());
    }

    @Test
    void aSmallResponseCutInItsBodyReachesTheClientCut() throws Exception {
        // Part of the body came: the head went with it, so the client sees the response start and break off.
        start(Step.reply("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc", After.CLOSE));
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("GET /small HTTP/1.1\r\nHost: a\r\n\r\n");
            String raw = c.readUntilClose();
            assertThat(raw).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: 10").endsWith("\r\n\r\nabc");
        }
        awaitCountersZero(f.server());
    }

    @Test
    void bytesABackendSendsAfterItsResponseNeverAnswerTheNextRequest() throws Exception {
        // A second, unasked-for response right behind the first: the pooled connection cannot be
        // trusted, so it is closed, and the next request goes out on a new one.
        ScriptedBackend backend = f.closeLater(ScriptedBackend.start((connection, request) -> Step.reply(
                "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
                        + "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nstale", After.NEXT)));
        f.startManual("routes:\n" + Interceptors.manualRoute("api", "/", null));
        f.sources.get("api").ready(backend.port());
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo("ok");
            c.send("GET /second HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo("ok");
        }
        assertThat(backend.connections()).isEqualTo(2);
        awaitCountersZero(f.server());
    }

    @Test
    void aCloseDelimitedBodyReachesAClosingClientWholeAndChunked() throws Exception {
        // The body's end is the backend's close: the client (HTTP/1.1, closing) gets the body
        // chunked and its last chunk before Wakegate closes its connection.
        String body = "x".repeat(200_000);
        start(Step.reply("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n" + body, After.CLOSE));
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("GET /all HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            RawHttp.Response r = c.readResponse(false); // chunked for the client: it ends with the last chunk
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(body.length()).isEqualTo(body);
            assertThat(c.closedByPeer()).isTrue();
        }
        awaitCountersZero(f.server());
    }

    @Test
    void informationalResponsesLoseTheirHopByHopFields() throws Exception {
        start(Step.reply("HTTP/1.1 103 Early Hints\r\nconnection: x-hop\r\nx-hop: 1\r\nkeep-alive: timeout=5\r\n"
                + "link: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", After.NEXT));
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("GET /hints HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response hints = c.readResponse(false);
            assertThat(hints.status()).isEqualTo(103);
            assertThat(hints.header("link")).isEqualTo("</style.css>; rel=preload");
            assertThat(hints.hasHeader("x-hop")).isFalse();
            assertThat(hints.hasHeader("connection")).isFalse();
            assertThat(hints.hasHeader("keep-alive")).isFalse();
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ok");
        }
        awaitCountersZero(f.server());
    }
}
