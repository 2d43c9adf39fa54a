package io.wakegate.benchmarks.support;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.config.ConfigLoader;
import java.io.IOException;
import java.time.Duration;

/** Starts in-process interceptors on loopback for the benchmarks (what the interceptor's test fixtures do). */
public final class Servers {

    /** Loopback listeners on ephemeral ports, the given transport and a quick shutdown. */
    private static final String LOOPBACK = """
            server: {bindAddress: 127.0.0.1, port: 0, adminBindAddress: 127.0.0.1, adminPort: 0, transport: %s}
            shutdown: {readinessDelay: 0s, drainTimeout: 1s}
            """;

    private Servers() {
    }

    /** An interceptor from {@link #LOOPBACK} plus {@code yaml} (limits, routes...). */
    public static InterceptorServer interceptor(String yaml) throws Exception {
        return interceptor("auto", yaml);
    }

    /** The same on {@code transport} ({@code auto}, {@code io_uring}, {@code epoll} or {@code nio}). */
    public static InterceptorServer interceptor(String transport, String yaml) throws Exception {
        return InterceptorServer.start(ConfigLoader.parse(LOOPBACK.formatted(transport) + yaml, "bench.yaml"));
    }

    /** A route {@code name} for {@code prefix} with one static endpoint at {@code url}. */
    public static String route(String name, String prefix, String url, String healthCheck) {
        return """
                  - name: %s
                    match: {pathPrefixes: [%s]}
                    backend:
                      static:
                        urls: [%s]
                        healthCheck: %s
                """.formatted(name, prefix, url, healthCheck);
    }

    /** Sends {@code GET path} until it answers 200 (the route's first health probe passed). */
    public static void awaitOk(int port, String path, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] request = KeepAliveClient.get(path, "127.0.0.1");
        while (true) {
            try (KeepAliveClient c = new KeepAliveClient("127.0.0.1", port)) {
                if (c.exchange(request) == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("GET " + path + " on port " + port + " not 200 within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
