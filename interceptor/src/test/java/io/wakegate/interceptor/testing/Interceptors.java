package io.wakegate.interceptor.testing;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.backend.EndpointSourceFactory;
import io.wakegate.interceptor.config.ConfigLoader;
import io.wakegate.interceptor.config.WakegateConfig;

/** Starts real interceptors on loopback, on ephemeral ports, from YAML text. */
public final class Interceptors {

    /** Server settings for tests: loopback, ephemeral ports, a quick shutdown. */
    public static final String TEST_SERVER = """
            server: {bindAddress: 127.0.0.1, port: 0, adminBindAddress: 127.0.0.1, adminPort: 0}
            shutdown: {readinessDelay: 0s, drainTimeout: 5s}
            """;

    private Interceptors() {
    }

    public static WakegateConfig config(String yaml) {
        try {
            return ConfigLoader.parse(TEST_SERVER + yaml, "test.yaml");
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
}
