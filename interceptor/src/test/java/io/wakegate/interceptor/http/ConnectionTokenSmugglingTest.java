package io.wakegate.interceptor.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.RawHttp;
import io.wakegate.interceptor.testing.TestBackend;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code Connection} names hop-by-hop fields to drop, but never message framing: a client that
 * names {@code Content-Length} there must not get its body through as a second request.
 */
class ConnectionTokenSmugglingTest {

    @Test
    void connectionTokenNamingContentLengthDoesNotSmuggleTheBody() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            InterceptorServer wakegate = Interceptors.start("routes:\n"
                    + Interceptors.staticRoute("api", "/", backend.url(), null)
                            .replace("healthCheck: {path: /health,", "healthCheck: {"));
            try {
                await().until(() -> !wakegate.routes().current().list().get(0).gate().readyEndpoints().isEmpty());
                String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n";
                String request = "POST /discard HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, content-length\r\n"
                        + "Content-Length: " + smuggled.length() + "\r\n\r\n" + smuggled;
                try (RawHttp raw = RawHttp.connect(wakegate.proxyAddress().getPort())) {
                    raw.send(request.getBytes(StandardCharsets.US_ASCII));
                    String response = new String(raw.input().readNBytes(10), StandardCharsets.US_ASCII);
                    assertThat(response).startsWith("HTTP/1.1 ");
                }
                await().until(() -> backend.requests() >= 1);
                Thread.sleep(200); // a smuggled second request would arrive right behind the first
                assertThat(backend.seenUris()).containsExactly("/discard");
                assertThat(backend.bytesReceived()).isEqualTo(smuggled.length());
            } finally {
                wakegate.close();
            }
        }
    }
}
