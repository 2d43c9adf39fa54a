package io.wakegate.interceptor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A readiness probe asks the backend the way a request would: with the Host it is given. */
class HealthProbeTest {

    private ServerSocket server;
    private final List<String> heads = new CopyOnWriteArrayList<>();

    /** A virtual host: 200 only for {@code models.example:8000}, like a backend served by name. */
    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (true) {
                try (Socket s = server.accept()) {
                    String head = readHead(s.getInputStream());
                    heads.add(head);
                    String status = head.toLowerCase().contains("\r\nhost: models.example:8000\r\n") ? "200 OK"
                            : "404 Not Found";
                    s.getOutputStream().write(("HTTP/1.1 " + status + "\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closed) {
                    return;
                }
            }
        }, "virtual-host");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    @Test
    void theProbeSendsTheHostItIsGiven() {
        HealthProbe probe = new HealthProbe("/health", Duration.ofSeconds(5));
        assertThat(probe.failure(address(), "models.example:8000")).isNull();
        assertThat(heads.get(0)).startsWith("GET /health HTTP/1.1\r\n");
        assertThat(probe.failure(address(), "other.example")).isEqualTo("GET /health: HTTP 404");
    }

    @Test
    void withoutAHostTheAddressIsTheHost() {
        HealthProbe probe = new HealthProbe("/health", Duration.ofSeconds(5));
        assertThat(probe.failure(address(), null)).isEqualTo("GET /health: HTTP 404");
        assertThat(heads.get(0)).contains("\r\nHost: 127.0.0.1:" + server.getLocalPort() + "\r\n");
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
