package io.wakegate.interceptor.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.backend.EndpointSourceFactory;
import io.wakegate.interceptor.config.ConfigLoader;
import io.wakegate.interceptor.config.WakegateConfig;
import io.wakegate.interceptor.demand.RouteDemand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Starts real interceptors on loopback, on ephemeral ports, from YAML text. */
public final class Interceptors {

    /** Server settings for tests: loopback, ephemeral ports. */
    public static final String TEST_SERVER = """
            server: {bindAddress: 127.0.0.1, port: 0, adminBindAddress: 127.0.0.1, adminPort: 0}
            """;

    /** A quick shutdown, unless the test's YAML has its own {@code shutdown} section. */
    public static final String TEST_SHUTDOWN = """
            shutdown: {readinessDelay: 0s, drainTimeout: 5s}
            """;

    private static final HttpClient ADMIN = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Interceptors() {
    }

    public static WakegateConfig config(String yaml) {
        try {
            String shutdown = yaml.startsWith("shutdown:") || yaml.contains("\nshutdown:") ? "" : TEST_SHUTDOWN;
            return ConfigLoader.parse(TEST_SERVER + shutdown + yaml, "test.yaml");
        } catch (Exception e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public static InterceptorServer start(String yaml) throws InterruptedException {
        return InterceptorServer.start(config(yaml));
    }

    public static InterceptorServer start(String yaml, EndpointSourceFactory sources) throws InterruptedException {
        return InterceptorServer.start(config(yaml), sources);
    }

    /** A route named {@code name} matching {@code prefix} with a static backend at {@code url}. */
    public static String staticRoute(String name, String prefix, String url, String extra) {
        return """
                  - name: %s
                    match: {pathPrefixes: [%s]}
                    backend:
                      static:
                        urls: [%s]
                        healthCheck: {path: /health, interval: 200ms, timeout: 500ms}
                %s
                """.formatted(name, prefix, url, extra == null ? "" : extra.indent(4));
    }

    /**
     * A route whose endpoints a {@link ManualEndpointSource} supplies (see {@link ManualSources}); the
     * static URL is never used.
     */
    public static String manualRoute(String name, String prefix, String extra) {
        return staticRoute(name, prefix, "http://127.0.0.1:9", extra);
    }

    /** One {@link ManualEndpointSource} per route name, created on first use. */
    public static final class ManualSources implements EndpointSourceFactory {
        private final Map<String, ManualEndpointSource> sources = new ConcurrentHashMap<>();

        @Override
        public ManualEndpointSource create(String route, io.wakegate.interceptor.config.BackendConfig backend) {
            return get(route);
        }

        public ManualEndpointSource get(String route) {
            return sources.computeIfAbsent(route, r -> new ManualEndpointSource());
        }
    }

    /** http://127.0.0.1:PORT of the proxy listener. */
    public static String base(InterceptorServer server) {
        return "http://127.0.0.1:" + server.proxyAddress().getPort();
    }

    /** GET on the admin server. */
    public static HttpResponse<String> admin(InterceptorServer server, String path) {
        try {
            return ADMIN.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.adminAddress().getPort() + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The demand of {@code route} now. */
    public static RouteDemand demand(InterceptorServer server, String route) {
        return server.demand().snapshot().stream().filter(d -> d.route().equals(route)).findFirst()
                .orElseThrow(() -> new AssertionError("no demand counter for route " + route));
    }

    /** Waits until {@code route} holds exactly {@code held} requests. */
    public static void awaitHeld(InterceptorServer server, String route, int held) {
        await().atMost(Duration.ofSeconds(10)).until(() -> demand(server, route).held() == held);
    }

    /**
     * Waits until every route's held and in-flight counters are back to exactly zero, and checks
     * that {@code /queue} agrees (no held request anywhere).
     */
    public static void awaitCountersZero(InterceptorServer server) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (RouteDemand d : server.demand().snapshot()) {
                assertThat(d.held()).as("held on route %s", d.route()).isZero();
                assertThat(d.inFlight()).as("in flight on route %s", d.route()).isZero();
            }
        });
        String queue = admin(server, "/queue").body();
        assertThat(queue).contains("\"heldTotal\" : 0").doesNotContainPattern("\"(held|inFlight)\" : [1-9]");
    }
}
