package io.wakegate.interceptor.testing;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors.ManualSources;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What an integration test starts: one interceptor, test backends, manual endpoint sources and an
 * HTTP/1.1 client. Close it after each test; it stops the interceptor first, then the backends.
 */
public final class Fixture implements AutoCloseable {

    public final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    public final ManualSources sources = new ManualSources();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private InterceptorServer server;

    /** Starts an interceptor whose routes get their endpoints from {@link #sources}. */
    public InterceptorServer startManual(String yaml) throws InterruptedException {
        server = Interceptors.start(yaml, sources);
        return server;
    }

    /** Starts an interceptor with the built-in (static) endpoint sources. */
    public InterceptorServer startStatic(String yaml) throws InterruptedException {
        server = Interceptors.start(yaml);
        return server;
    }

    public InterceptorServer server() {
        return server;
    }

    public int port() {
        return server.proxyAddress().getPort();
    }

    public TestBackend backend(String name) throws InterruptedException {
        return closeLater(TestBackend.start(name));
    }

    public <T extends AutoCloseable> T closeLater(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(Interceptors.base(server) + path)).timeout(Duration.ofSeconds(30));
    }

    public CompletableFuture<HttpResponse<String>> get(String path) {
        return client.sendAsync(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            server.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }
}
