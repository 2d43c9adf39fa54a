package io.wakegate.interceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wakegate.interceptor.config.ConfigLoader;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.RawHttp;
import io.wakegate.interceptor.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every transport this machine supports proxies the same request; auto picks io_uring, else epoll, on Linux. */
class TransportTest {

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "io_uring", "auto"})
    void eachTransportProxiesKeepAliveRequests(String transport) throws Exception {
        if (!transport.equals("auto") && !transport.equals("nio")) {
            assumeTrue(Transport.valueOf(transport.toUpperCase(java.util.Locale.ROOT)).unavailability() == null,
                    transport + " is not available on this machine");
        }
        try (TestBackend backend = TestBackend.start("b")) {
            InterceptorServer server = InterceptorServer.start(ConfigLoader.parse(
                    "server: {bindAddress: 127.0.0.1, port: 0, adminBindAddress: 127.0.0.1, adminPort: 0, transport: "
                            + transport + ", ioThreads: 1}\n" + Interceptors.TEST_SHUTDOWN
                            + "routes:\n" + Interceptors.staticRoute("r", "/", backend.url(), null), "test.yaml"));
            try (RawHttp http = RawHttp.connect(server.proxyAddress().getPort())) {
                for (int i = 0; i < 3; i++) {
                    http.send("GET /x" + i + " HTTP/1.1\r\nHost: h\r\n\r\n");
                    RawHttp.Response response = http.readResponse(false);
                    assertThat(response.status()).isEqualTo(200);
                    assertThat(response.body()).isEqualTo("b GET /x" + i);
                }
            } finally {
                server.close();
            }
        }
    }

    @Test
    void autoIsIoUringWhereItLoadsElseEpollAndAnUnknownTransportIsAConfigurationError() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"));
        assertThat(Transport.choose("auto")).isEqualTo(io.netty.channel.uring.IoUring.isAvailable() ? Transport.IO_URING
                : io.netty.channel.epoll.Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO);
        assertThat(Transport.choose("nio")).isEqualTo(Transport.NIO);
        assertThatThrownBy(() -> ConfigLoader.parse("server: {transport: kqueue}\n", "test.yaml"))
                .hasMessageContaining("server.transport: 'kqueue' (expected: one of auto, epoll, io_uring, nio)");
    }
}
