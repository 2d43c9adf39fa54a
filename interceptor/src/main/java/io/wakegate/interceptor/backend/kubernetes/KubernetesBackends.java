package io.wakegate.interceptor.backend.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.wakegate.interceptor.config.KubernetesBackendConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Creates EndpointSlice sources and owns the informers they share: one {@link NamespaceWatch}
 * per namespace that a route's backend lives in, so the interceptor watches only what it needs.
 * Thread-safe.
 */
public final class KubernetesBackends implements AutoCloseable {

    private final KubernetesClient client;
    private final ScheduledExecutorService executor;
    private final Map<String, NamespaceWatch> watches = new HashMap<>();

    public KubernetesBackends(KubernetesClient client, ScheduledExecutorService executor) {
        this.client = client;
        this.executor = executor;
    }

    public synchronized EndpointSliceSource create(String route, KubernetesBackendConfig config) {
        NamespaceWatch watch = watches.computeIfAbsent(config.namespace(),
                ns -> new NamespaceWatch(client, ns, executor));
        return new EndpointSliceSource(route, config, watch, executor);
    }

    @Override
    public synchronized void close() {
        watches.values().forEach(NamespaceWatch::close);
        watches.clear();
    }
}
