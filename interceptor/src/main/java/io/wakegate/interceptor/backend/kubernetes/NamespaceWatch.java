package io.wakegate.interceptor.backend.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Informers on the EndpointSlices and Services of one namespace, shared by every route whose
 * backend lives there. A change to a Service or to one of its slices is passed to the sources
 * watching that Service, on the executor (never on the informer's thread, which must not be
 * held up).
 */
final class NamespaceWatch implements AutoCloseable {

    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final String BY_SERVICE = "by-service";

    private final String namespace;
    private static final Logger log = LoggerFactory.getLogger(NamespaceWatch.class);

    private final Executor executor;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final SharedIndexInformer<Service> services;
    private final Map<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();

    NamespaceWatch(KubernetesClient client, String namespace, Executor executor) {
        this.namespace = namespace;
        this.executor = executor;
        this.slices = client.discovery().v1().endpointSlices().inNamespace(namespace).runnableInformer(0);
        this.slices.addIndexers(Map.of(BY_SERVICE, slice -> {
            String service = slice.getMetadata().getLabels() == null ? null
                    : slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
            return service == null ? List.of() : List.of(service);
        }));
        this.slices.addEventHandler(handler(slice -> slice.getMetadata().getLabels() == null ? null
                : slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL)));
        this.services = client.services().inNamespace(namespace).runnableInformer(0);
        this.services.addEventHandler(handler(service -> service.getMetadata().getName()));
        // Fabric8 gives up on an informer whose first list fails; endpoints must come eventually.
        this.slices.exceptionHandler((started, error) -> retrying("EndpointSlices", error));
        this.services.exceptionHandler((started, error) -> retrying("Services", error));
        this.slices.start();
        this.services.start();
    }

    String namespace() {
        return namespace;
    }

    private boolean retrying(String what, Throwable error) {
        log.warn("{} of namespace {}: {}; retrying", what, namespace, error.toString());
        return true;
    }

    /** Calls {@code onChange} (on the executor) whenever {@code service} or its slices change. */
    void watch(String service, Runnable onChange) {
        listeners.computeIfAbsent(service, s -> new CopyOnWriteArraySet<>()).add(onChange);
        executor.execute(onChange); // the caches may already hold it
    }

    void unwatch(String service, Runnable onChange) {
        Set<Runnable> set = listeners.get(service);
        if (set != null) {
            set.remove(onChange);
        }
    }

    /** Whether both informers have listed once: before that an empty answer means "not known yet". */
    boolean synced() {
        return slices.hasSynced() && services.hasSynced();
    }

    List<EndpointSlice> slicesOf(String service) {
        return new ArrayList<>(slices.getIndexer().byIndex(BY_SERVICE, service));
    }

    Service service(String name) {
        return services.getStore().getByKey(namespace + "/" + name);
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler(Function<T, String> serviceOf) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed(serviceOf.apply(obj));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed(serviceOf.apply(newObj));
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed(serviceOf.apply(obj));
            }
        };
    }

    private void changed(String service) {
        if (service == null) {
            return;
        }
        Set<Runnable> set = listeners.get(service);
        if (set != null) {
            for (Runnable r : set) {
                executor.execute(r);
            }
        }
    }

    @Override
    public void close() {
        slices.close();
        services.close();
    }
}
