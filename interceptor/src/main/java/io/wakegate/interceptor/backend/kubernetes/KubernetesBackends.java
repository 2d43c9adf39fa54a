package io.wakegate.interceptor.backend.kubernetes;

import com.github.benmanes.caffeine.cache.Ticker;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.wakegate.interceptor.config.KubernetesBackendConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Creates EndpointSlice sources and owns what they share: one {@link NamespaceWatch} per namespace
 * that a route's backend lives in, so the interceptor watches only what it needs, and the
 * {@link FqdnResolver} of FQDN slices with its lookup threads. Thread-safe.
 */
public final class KubernetesBackends implements AutoCloseable {

    /** Lookups at once: a slow name must not hold up the others. */
    private static final int DNS_THREADS = 2;

    private final KubernetesClient client;
    private final ScheduledExecutorService executor;
    private final ExecutorService dns;
    private final FqdnResolver resolver;
    private final ScheduledFuture<?> refresh;
    private final Map<String, NamespaceWatch> watches = new HashMap<>();

    public KubernetesBackends(KubernetesClient client, ScheduledExecutorService executor) {
        this(client, executor, FqdnResolver.Lookup.SYSTEM);
    }

    /** With {@code lookup} for the names of FQDN slices (tests: names that never reach DNS). */
    KubernetesBackends(KubernetesClient client, ScheduledExecutorService executor, FqdnResolver.Lookup lookup) {
        this.client = client;
        this.executor = executor;
        this.dns = Executors.newFixedThreadPool(DNS_THREADS, new DefaultThreadFactory("wakegate-dns", true));
        this.resolver = new FqdnResolver(lookup, dns, executor, Ticker.systemTicker());
        long period = FqdnResolver.REFRESH.toNanos();
        this.refresh = executor.scheduleWithFixedDelay(resolver::tick, period, period, TimeUnit.NANOSECONDS);
    }

    public synchronized EndpointSliceSource create(String route, KubernetesBackendConfig config) {
        NamespaceWatch watch = watches.computeIfAbsent(config.namespace(),
                ns -> new NamespaceWatch(client, ns, executor));
        return new EndpointSliceSource(route, config, watch, resolver, executor);
    }

    @Override
    public synchronized void close() {
        refresh.cancel(false);
        watches.values().forEach(NamespaceWatch::close);
        watches.clear();
        dns.shutdownNow();
    }
}
