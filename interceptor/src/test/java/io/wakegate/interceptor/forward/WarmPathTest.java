package io.wakegate.interceptor.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WarmPathTest {

    private TestBackend backend;
    private InterceptorServer wakegate;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("b1");
        wakegate = Interceptors.start("routes:\n" + Interceptors.staticRoute("api", "/", backend.url(), null)
                .replace("healthCheck: {path: /health,", "healthCheck: {"));
    }

    @AfterEach
    void stop() {
        wakegate.close();
        backend.close();
    }

    private String base() {
        return "http://127.0.0.1:" + wakegate.proxyAddress().getPort();
    }

    @Test
    void forwardsToReadyBackendWithForwardedHeaders() throws Exception {
        HttpResponse<String> r = null;
        for (int i = 0; i < 3; i++) {
            r = client.send(HttpRequest.newBuilder(URI.create(base() + "/hello?x=1")).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("b1 GET /hello?x=1");
        assertThat(r.headers().firstValue("x-seen-host")).hasValue("127.0.0.1:" + wakegate.proxyAddress().getPort());
        assertThat(r.headers().firstValue("x-seen-forwarded-for")).hasValue("127.0.0.1");
        assertThat(r.headers().firstValue("x-seen-forwarded-proto")).hasValue("http");
        assertThat(r.headers().firstValue("x-wakegate-cold-start")).hasValue("false");
        assertThat(backend.requests()).isEqualTo(3);
    }
}
