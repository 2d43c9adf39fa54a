package io.wakegate.kubetest;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records what a client's requests got back from the API server: every response's method, path
 * and status code, and every {@code Warning} header (deprecated fields, unknown fields dropped,
 * CEL cost). Install on a client with {@link KubeApi#newAdminClient(ApiRecorder)} or
 * {@link KubeApi#clientAs(String, String, ApiRecorder)}.
 */
public final class ApiRecorder implements Interceptor {

    /** One response: {@code GET}, {@code /apis/keda.sh/v1alpha1/namespaces/x/scaledobjects}, 201. */
    public record Call(String method, String path, int code) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        calls.add(new Call(request.method(), request.uri().getPath(), response.code()));
        for (String warning : response.headers("Warning")) {
            warnings.add(request.method() + " " + request.uri() + ": " + warning);
        }
    }

    /** Every response so far, oldest first. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Every warning so far, oldest first. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }
}
