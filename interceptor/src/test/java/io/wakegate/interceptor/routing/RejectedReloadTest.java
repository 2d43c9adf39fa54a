package io.wakegate.interceptor.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.TestBackend;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A reload that cannot be applied in full changes nothing: the table in force keeps serving. */
class RejectedReloadTest {

    @Test
    void reloadWhoseNewProcessPortIsTakenLeavesTheTableInForce() throws Exception {
        try (TestBackend backend = TestBackend.start("a");
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String first = "routes:\n" + Interceptors.staticRoute("a", "/a", backend.url(), null);
            InterceptorServer wakegate = Interceptors.start(first);
            try {
                String second = first + """
                          - name: b
                            match: {pathPrefixes: [/b]}
                            backend:
                              process: {command: [sleep, "60"], port: %d}
                        """.formatted(taken.getLocalPort());
                assertThatThrownBy(() -> wakegate.reload(Interceptors.config(second)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("route b: backend.process.port: " + taken.getLocalPort()
                                + " is already in use");

                RouteTable table = wakegate.routes().current();
                assertThat(table.routes().keySet()).containsExactly("a");
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + wakegate.proxyAddress().getPort() + "/a")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
            } finally {
                wakegate.close();
            }
        }
    }
}
