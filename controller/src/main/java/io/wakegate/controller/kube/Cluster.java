package io.wakegate.controller.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.TargetSpec;
import io.wakegate.controller.desired.Names;
import io.wakegate.controller.desired.Owners;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Informer caches of everything a reconcile pass reads: ModelHosts, Deployments, StatefulSets,
 * Services and HorizontalPodAutoscalers in the watched namespaces (all when none are listed), the
 * route-table ConfigMap, the KEDA and Istio CRDs, and — while those CRDs exist — every
 * ScaledObject (ours and others', which may already scale a workload) and the VirtualServices
 * the controller manages (selected by its managed-by label). Any change calls the listener.
 *
 * <p>Reads ({@code modelHosts()}, {@code workload()}, ...) are cache lookups and may be called
 * from any thread; {@link #refreshOptionalApis()} is called by the reconcile thread only.
 */
public final class Cluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Cluster.class);

  private final KubernetesClient client;
  private final List<String> namespaces;
  private final String wakegateNamespace;
  private final ResourceEventHandler<HasMetadata> handler;

  private final List<SharedIndexInformer<ModelHost>> modelHosts;
  private final List<SharedIndexInformer<Deployment>> deployments;
  private final List<SharedIndexInformer<StatefulSet>> statefulSets;
  private final List<SharedIndexInformer<Service>> services;
  private final List<SharedIndexInformer<HorizontalPodAutoscaler>> autoscalers;
  private final SharedIndexInformer<ConfigMap> routeTable;
  private final Map<Apis, SharedIndexInformer<CustomResourceDefinition>> crds = new EnumMap<>(Apis.class);
  private final Map<Apis, List<SharedIndexInformer<GenericKubernetesResource>>> optional = new EnumMap<>(Apis.class);
  private final List<SharedIndexInformer<?>> all = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /**
   * Creates and starts the informers.
   *
   * @param namespaces namespaces to watch; empty = all
   * @param onChange called (from informer threads) after any add, update or delete
   */
  public Cluster(KubernetesClient client, List<String> namespaces, String wakegateNamespace, Runnable onChange) {
    this.client = client;
    this.namespaces = List.copyOf(namespaces);
    this.wakegateNamespace = wakegateNamespace;
    this.handler = new ResourceEventHandler<>() {
      @Override
      public void onAdd(HasMetadata obj) {
        onChange.run();
      }

      @Override
      public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
        onChange.run();
      }

      @Override
      public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
        onChange.run();
      }
    };
    modelHosts = perNamespace(ns -> ns == null
        ? client.resources(ModelHost.class).inAnyNamespace() : client.resources(ModelHost.class).inNamespace(ns));
    deployments = perNamespace(ns -> ns == null
        ? client.apps().deployments().inAnyNamespace() : client.apps().deployments().inNamespace(ns));
    statefulSets = perNamespace(ns -> ns == null
        ? client.apps().statefulSets().inAnyNamespace() : client.apps().statefulSets().inNamespace(ns));
    services = perNamespace(ns -> ns == null
        ? client.services().inAnyNamespace() : client.services().inNamespace(ns));
    autoscalers = perNamespace(ns -> ns == null
        ? client.autoscaling().v2().horizontalPodAutoscalers().inAnyNamespace()
        : client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns));
    routeTable = start(client.configMaps().inNamespace(wakegateNamespace).withName(Names.ROUTE_TABLE_CONFIGMAP));
    for (Apis api : Apis.values()) {
      crds.put(api, start(client.apiextensions().v1().customResourceDefinitions().withName(api.crdName())));
    }
  }

  /** Waits until every informer started so far has listed once, or until {@link #close()}. */
  public void awaitSynced(Duration timeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (SharedIndexInformer<?> informer : List.copyOf(all)) {
      while (!informer.hasSynced() && !closed) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("informer caches not synced after " + timeout);
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
    }
  }

  /**
   * Starts the informers of KEDA's and Istio's resources whose CRD has appeared, and stops those
   * whose CRD is gone. Returns true when every running optional informer has synced.
   */
  public boolean refreshOptionalApis() {
    boolean synced = true;
    for (Apis api : Apis.values()) {
      boolean installed = installed(api);
      List<SharedIndexInformer<GenericKubernetesResource>> running = optional.get(api);
      if (installed && running == null) {
        log.info("{} CRD {} found: watching {}s", api.kind(), api.crdName(), api.kind());
        // Every ScaledObject, since a foreign one may already scale a ModelHost's workload; of the
        // VirtualServices only ours.
        boolean all = api == Apis.SCALED_OBJECT;
        running = perNamespace(ns -> {
          var resources = client.genericKubernetesResources(api.context());
          var scoped = ns == null ? resources.inAnyNamespace() : resources.inNamespace(ns);
          return all ? scoped : scoped.withLabel(Names.MANAGED_BY_LABEL, Names.MANAGED_BY);
        });
        optional.put(api, running);
      } else if (!installed && running != null) {
        log.warn("{} CRD {} is gone: no longer watching {}s", api.kind(), api.crdName(), api.kind());
        running.forEach(informer -> {
          informer.close();
          all.remove(informer);
        });
        optional.remove(api);
        running = null;
      }
      if (running != null) {
        synced &= running.stream().allMatch(SharedIndexInformer::hasSynced);
      }
    }
    return synced;
  }

  /** True when the API's CRD exists and its informers are running and synced. */
  public boolean ready(Apis api) {
    List<SharedIndexInformer<GenericKubernetesResource>> running = optional.get(api);
    return installed(api) && running != null && running.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  /** True when the API's CRD exists. */
  public boolean installed(Apis api) {
    return !crds.get(api).getStore().list().isEmpty();
  }

  public List<ModelHost> modelHosts() {
    List<ModelHost> list = new ArrayList<>();
    modelHosts.forEach(informer -> list.addAll(informer.getStore().list()));
    return list;
  }

  /** The ModelHost's target workload of the kind its spec names, or null. */
  public HasMetadata workload(String namespace, TargetSpec target) {
    return target.kind() == TargetSpec.WorkloadKind.StatefulSet
        ? get(statefulSets, namespace, target.name())
        : get(deployments, namespace, target.name());
  }

  public Service service(String namespace, String name) {
    return get(services, namespace, name);
  }

  /**
   * What else scales the workload {@code kind/name} in {@code namespace}: ScaledObjects not
   * controlled by a ModelHost, and HorizontalPodAutoscalers not created by KEDA for a
   * ScaledObject, each as {@code Kind namespace/name}. Empty when nothing does.
   */
  public List<String> foreignScalers(String namespace, String kind, String name) {
    List<String> found = new ArrayList<>();
    for (GenericKubernetesResource so : cached(Apis.SCALED_OBJECT)) {
      if (namespace.equals(so.getMetadata().getNamespace()) && !Owners.ownedByAnyModelHost(so)
          && so.getMetadata().getDeletionTimestamp() == null
          && targets(so.getAdditionalProperties().get("spec"), kind, name)) {
        found.add("ScaledObject " + Names.key(so));
      }
    }
    for (SharedIndexInformer<HorizontalPodAutoscaler> informer : autoscalers) {
      for (HorizontalPodAutoscaler hpa : informer.getStore().list()) {
        var ref = hpa.getSpec() != null ? hpa.getSpec().getScaleTargetRef() : null;
        boolean byKeda = hpa.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> "ScaledObject".equals(o.getKind()));
        if (namespace.equals(hpa.getMetadata().getNamespace()) && ref != null && !byKeda
            && kind.equals(ref.getKind()) && name.equals(ref.getName())) {
          found.add("HorizontalPodAutoscaler " + Names.key(hpa));
        }
      }
    }
    return found;
  }

  /** Whether a ScaledObject spec's scaleTargetRef names {@code kind/name} (KEDA's default kind: Deployment). */
  private static boolean targets(Object spec, String kind, String name) {
    if (spec instanceof Map<?, ?> map && map.get("scaleTargetRef") instanceof Map<?, ?> ref) {
      Object refKind = ref.get("kind") != null ? ref.get("kind") : "Deployment";
      return kind.equals(refKind) && name.equals(ref.get("name"));
    }
    return false;
  }

  /** An object of {@code api} in the cache by namespace and name, or null (also when the API is absent). */
  public GenericKubernetesResource cached(Apis api, String namespace, String name) {
    List<SharedIndexInformer<GenericKubernetesResource>> running = optional.get(api);
    return running == null ? null : get(running, namespace, name);
  }

  /** Every object of {@code api} in the cache (empty when the API is absent). */
  public List<GenericKubernetesResource> cached(Apis api) {
    List<GenericKubernetesResource> list = new ArrayList<>();
    optional.getOrDefault(api, List.of()).forEach(informer -> list.addAll(informer.getStore().list()));
    return list;
  }

  /** The route-table ConfigMap, or null. */
  public ConfigMap routeTable() {
    return routeTable.getStore().getByKey(wakegateNamespace + "/" + Names.ROUTE_TABLE_CONFIGMAP);
  }

  public String wakegateNamespace() {
    return wakegateNamespace;
  }

  @Override
  public void close() {
    closed = true;
    List.copyOf(all).forEach(SharedIndexInformer::close);
    all.clear();
  }

  private <T extends HasMetadata> T get(List<SharedIndexInformer<T>> informers, String namespace, String name) {
    String key = namespace + "/" + name;
    for (SharedIndexInformer<T> informer : informers) {
      T found = informer.getStore().getByKey(key);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private <T extends HasMetadata> List<SharedIndexInformer<T>> perNamespace(Function<String, Informable<T>> source) {
    List<SharedIndexInformer<T>> informers = new ArrayList<>();
    if (namespaces.isEmpty()) {
      informers.add(start(source.apply(null)));
    } else {
      namespaces.forEach(ns -> informers.add(start(source.apply(ns))));
    }
    return informers;
  }

  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> SharedIndexInformer<T> start(Informable<T> source) {
    SharedIndexInformer<T> informer = source.runnableInformer(0);
    informer.addEventHandler((ResourceEventHandler<? super T>) (ResourceEventHandler<?>) handler);
    // Fabric8 gives up on an informer whose first list fails (a connection closed while the API
    // server starts, a 403 until RBAC is fixed): keep retrying, with its backoff, and say why.
    informer.exceptionHandler((started, error) -> {
      log.warn("informer {}: {}; retrying", informer.getApiTypeClass().getSimpleName(), rootMessage(error));
      return true;
    });
    CompletableFuture<Void> started = informer.start().toCompletableFuture();
    started.whenComplete((ok, error) -> {
      if (error != null) {
        log.warn("informer failed to start: {}", rootMessage(error));
      }
    });
    all.add(informer);
    return informer;
  }

  static String rootMessage(Throwable error) {
    Throwable t = error;
    while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
