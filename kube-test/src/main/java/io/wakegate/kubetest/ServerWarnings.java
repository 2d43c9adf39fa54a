package io.wakegate.kubetest;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every {@code Warning} header the API server sends (deprecated fields, unknown fields
 * dropped, CEL cost warnings), as {@code METHOD uri: text}. Install with
 * {@link KubeApi#newAdminClient(ServerWarnings)}.
 */
public final class ServerWarnings implements Interceptor {

    private final List<String> warnings = new CopyOnWriteArrayList<>();

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        for (String warning : response.headers("Warning")) {
            warnings.add(request.method() + " " + request.uri() + ": " + warning);
        }
    }

    /** Every warning so far, oldest first. */
    public List<String> all() {
        return List.copyOf(warnings);
    }
}
