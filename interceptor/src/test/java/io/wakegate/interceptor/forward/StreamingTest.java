package io.wakegate.interceptor.forward;

import static io.wakegate.interceptor.testing.Interceptors.awaitCountersZero;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.MemorySampler;
import io.wakegate.interceptor.testing.RawHttp;
import io.wakegate.interceptor.testing.TestBackend;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bodies stream both ways, with back-pressure and without buffering; SSE and WebSocket pass through. */
class StreamingTest {

    private static final long HUNDRED_MIB = 100L * 1024 * 1024;
    /** Far below the transfer size: the proxy must never hold a body. */
    private static final long FLAT = 32L * 1024 * 1024;

    private final Fixture f = new Fixture();
    private TestBackend backend;

    @BeforeEach
    void start() throws Exception {
        backend = f.backend("b1");
        f.startManual("limits: {maxRequestBodySize: 200MiB}\nroutes:\n" + Interceptors.manualRoute("api", "/", null));
        f.sources.get("api").ready(backend.port());
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    @Test
    void sseEventsReachTheClientWhileTheBackendIsStillWriting() throws Exception {
        HttpResponse<InputStream> r = f.client.send(f.request("/sse?n=5&delayMs=200").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("data: token-0");
            int sentWhenFirstArrived = backend.eventsSent();
            assertThat(sentWhenFirstArrived).as("events the backend had written when the first arrived").isLessThan(5);
            StringBuilder rest = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                rest.append(line).append('\n');
            }
            assertThat(rest.toString()).isEqualTo("\ndata: token-1\n\ndata: token-2\n\ndata: token-3\n\ndata: token-4\n\n");
        }
        awaitCountersZero(f.server());
    }

    @Test
    void clientLeavingMidStreamEndsTheExchangeAndClosesTheBackendConnection() throws Exception {
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("GET /sse?n=50&delayMs=100 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(true).status()).isEqualTo(200); // the head only
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.eventsSent() >= 2);
            assertThat(Interceptors.demand(f.server(), "api").inFlight()).isEqualTo(1);
        }
        awaitCountersZero(f.server());
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 0);
        assertThat(backend.eventsSent()).isLessThan(50);
    }

    @Test
    void webSocketEchoesThroughTheProxy() throws Exception {
        StringBuilder received = new StringBuilder();
        CompletableFuture<String> firstMessage = new CompletableFuture<>();
        WebSocket ws = f.client.newWebSocketBuilder().buildAsync(
                URI.create("ws://127.0.0.1:" + f.port() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.append(data);
                        if (last) {
                            firstMessage.complete(received.toString());
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("hello through wakegate", true).get(5, TimeUnit.SECONDS);
        assertThat(firstMessage.get(10, TimeUnit.SECONDS)).isEqualTo("echo: hello through wakegate");
        assertThat(Interceptors.demand(f.server(), "api").inFlight()).isEqualTo(1); // the tunnel counts
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        awaitCountersZero(f.server());
    }

    @Test
    void hundredMebibyteUploadStreamsWithFlatMemory() throws Exception {
        uploadsWithFlatMemory(HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(HUNDRED_MIB)), HUNDRED_MIB));
        assertThat(backend.bytesReceived()).isEqualTo(HUNDRED_MIB);
    }

    @Test
    void hundredMebibyteChunkedUploadStreamsWithFlatMemory() throws Exception {
        // Without a length the client sends it chunked.
        uploadsWithFlatMemory(HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(HUNDRED_MIB)));
    }

    private void uploadsWithFlatMemory(HttpRequest.BodyPublisher body) throws Exception {
        try (MemorySampler memory = new MemorySampler()) {
            HttpResponse<String> r = f.client.send(f.request("/discard").timeout(Duration.ofSeconds(60))
                    .POST(body).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(Long.toString(HUNDRED_MIB));
            System.out.println("upload: max allocator memory " + memory.max());
            assertThat(memory.max()).as("allocator memory during the upload").isLessThan(FLAT);
        }
        awaitCountersZero(f.server());
    }

    @Test
    void hundredMebibyteDownloadStreamsWithFlatMemory() throws Exception {
        try (MemorySampler memory = new MemorySampler()) {
            HttpResponse<InputStream> r = f.client.send(f.request("/bytes/" + HUNDRED_MIB)
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-length")).hasValue(Long.toString(HUNDRED_MIB));
            long total = 0;
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = r.body()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    total += n;
                }
            }
            assertThat(total).isEqualTo(HUNDRED_MIB);
            System.out.println("download: max allocator memory " + memory.max());
            assertThat(memory.max()).as("allocator memory during the download").isLessThan(FLAT);
        }
        awaitCountersZero(f.server());
    }

    @Test
    void slowReadingClientAppliesBackPressureToTheBackend() throws Exception {
        try (MemorySampler memory = new MemorySampler();
             RawHttp c = RawHttp.connect(f.port(), 64 * 1024)) {
            c.send("GET /bytes/" + HUNDRED_MIB + " HTTP/1.1\r\nHost: a\r\n\r\n");
            InputStream in = c.input();
            byte[] buf = new byte[64 * 1024];
            long read = 0;
            while (read < 1024 * 1024) {
                read += in.read(buf);
            }
            // The client stops reading: the backend must stall soon after, far short of the body.
            AtomicLong last = new AtomicLong(-1);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> {
                long sent = backend.bytesSent();
                return sent == last.getAndSet(sent);
            });
            assertThat(backend.bytesSent()).as("bytes the backend wrote while the client read 1 MiB")
                    .isLessThan(read + FLAT);
            System.out.println("slow reader: backend sent " + backend.bytesSent() + ", client read " + read
                    + ", max allocator memory " + memory.max());
            assertThat(memory.max()).as("allocator memory while the client is stalled").isLessThan(FLAT);

            while (true) { // now read everything: the stream resumes
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                read += n;
                if (read >= HUNDRED_MIB + 40) { // head included
                    break;
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> backend.bytesSent() == HUNDRED_MIB);
        }
        awaitCountersZero(f.server());
    }

    @Test
    void expectContinueIsRelayedBeforeTheBody() throws Exception {
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send("POST /discard HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response cont = c.readResponse(false);
            assertThat(cont.status()).isEqualTo(100);
            assertThat(cont.raw()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            RawHttp.Response r = c.send("hello").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("5");
        }
        HttpResponse<String> r = f.client.send(f.request("/discard").expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString("hello, world")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("12");
        awaitCountersZero(f.server());
    }

    /** {@code n} zero bytes, produced on demand. */
    private static final class Zeros extends InputStream {
        private long remaining;

        Zeros(long n) {
            remaining = n;
        }

        @Override
        public int read() {
            if (remaining == 0) {
                return -1;
            }
            remaining--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            remaining -= n;
            return n;
        }
    }
}
