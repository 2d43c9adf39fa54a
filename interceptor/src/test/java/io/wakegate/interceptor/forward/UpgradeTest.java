package io.wakegate.interceptor.forward;

import static io.wakegate.interceptor.testing.Interceptors.awaitCountersZero;
import static org.assertj.core.api.Assertions.assertThat;

import io.wakegate.interceptor.testing.Fixture;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.RawHttp;
import io.wakegate.interceptor.testing.TestBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Only the configured upgrade protocols (default: websocket) reach the backend; any other
 * {@code Upgrade} is removed whole and the request is served as plain HTTP/1.1.
 */
class UpgradeTest {

    private static final String H2C_UPGRADE = "GET /up HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n";

    private final Fixture f = new Fixture();

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private TestBackend start(String forwarding) throws Exception {
        TestBackend backend = f.backend("b1");
        f.startManual(forwarding + "routes:\n" + Interceptors.manualRoute("api", "/", null));
        f.sources.get("api").ready(backend.port());
        return backend;
    }

    @Test
    void anH2cUpgradeIsRemovedAndTheRequestServedAsHttp11() throws Exception {
        start("");
        try (RawHttp c = RawHttp.connect(f.port())) {
            c.send(H2C_UPGRADE);
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-seen-upgrade")).isEqualTo("<none>");
            assertThat(r.header("x-seen-connection")).isEqualTo("<none>");
            assertThat(r.body()).isEqualTo("b1 GET /up");

            c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n"); // still an HTTP/1.1 connection
            assertThat(c.readResponse(false).body()).isEqualTo("b1 GET /next");
        }
        awaitCountersZero(f.server());
    }

    @Test
    void onlyTheAllowedProtocolsOfAnUpgradeAreForwarded() throws Exception {
        start("forwarding:\n  upgrades: [websocket, x-custom]\n");
        try (RawHttp c = RawHttp.connect(f.port())) {
            // The test backend answers a non-WebSocket upgrade as a plain request: what it saw is echoed.
            c.send("GET /up HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c, X-Custom/2\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-seen-upgrade")).isEqualTo("X-Custom/2");
            assertThat(r.header("x-seen-connection")).isEqualToIgnoringCase("upgrade");
        }
    }
}
