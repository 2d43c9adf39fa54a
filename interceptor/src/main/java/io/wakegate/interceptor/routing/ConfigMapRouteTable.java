package io.wakegate.interceptor.routing;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.wakegate.interceptor.config.BackendConfig;
import io.wakegate.interceptor.config.FailoverConfig;
import io.wakegate.interceptor.config.HeaderMatchConfig;
import io.wakegate.interceptor.config.HoldConfig;
import io.wakegate.interceptor.config.KubernetesBackendConfig;
import io.wakegate.interceptor.config.KubernetesConfig;
import io.wakegate.interceptor.config.MatchConfig;
import io.wakegate.interceptor.config.RouteConfig;
import io.wakegate.interceptor.config.StreamKeepAliveConfig;
import io.wakegate.interceptor.config.WaitingPageConfig;
import io.wakegate.proto.routes.Failover;
import io.wakegate.proto.routes.ForwardTo;
import io.wakegate.proto.routes.HeaderMatch;
import io.wakegate.proto.routes.Hold;
import io.wakegate.proto.routes.KubernetesBackend;
import io.wakegate.proto.routes.Route;
import io.wakegate.proto.routes.RouteTable;
import io.wakegate.proto.routes.StreamKeepAlive;
import io.wakegate.proto.routes.WaitingPage;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The route table of Kubernetes mode: the controller's ConfigMap, watched by an informer.
 * Each new document is parsed with the shared contract ({@code wakegate/routes.proto}, protobuf
 * JSON), checked whole, and handed on as route configurations. The last good table stays in
 * force while the ConfigMap is missing, its key empty, or a new document invalid; a document
 * with a lower version than the one in force (a late write of a former leader) is ignored.
 * Routes the table marks {@code hold.not_wakeable} are handed on by name beside the
 * configurations (a local file has no such routes).
 */
public final class ConfigMapRouteTable implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigMapRouteTable.class);
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private final KubernetesConfig.RouteTableSource source;
    private final Executor executor;
    private final BiConsumer<List<RouteConfig>, Set<String>> apply;
    private final SharedIndexInformer<ConfigMap> informer;
    private long version = Long.MIN_VALUE;

    /**
     * @param apply told every new valid table and the names of its routes that nothing can wake, on
     *              {@code executor}, one at a time; it may throw IllegalArgumentException to reject
     *              the table (the old one stays)
     */
    public ConfigMapRouteTable(KubernetesClient client, KubernetesConfig.RouteTableSource source, Executor executor,
                               BiConsumer<List<RouteConfig>, Set<String>> apply) {
        this.source = source;
        this.executor = executor;
        this.apply = apply;
        this.informer = client.configMaps().inNamespace(source.namespace()).withName(source.configMap())
                .runnableInformer(0);
        // Fabric8 gives up on an informer whose first list fails (a connection reset, a 403 until
        // RBAC is fixed); the table must come eventually, so keep retrying and say why.
        informer.exceptionHandler((started, error) -> {
            log.warn("route table {}/{}: {}; retrying", source.namespace(), source.configMap(), error.toString());
            return true;
        });
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap obj) {
                changed(obj);
            }

            @Override
            public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
                changed(newObj);
            }

            @Override
            public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {
                log.warn("route table ConfigMap {}/{} was deleted; keeping the last good table",
                        source.namespace(), source.configMap());
            }
        });
    }

    public void start() {
        informer.start();
        log.info("reading the route table from ConfigMap {}/{} key {}", source.namespace(), source.configMap(),
                source.key());
    }

    private void changed(ConfigMap configMap) {
        String json = configMap.getData() == null ? null : configMap.getData().get(source.key());
        executor.execute(() -> load(json));
    }

    /** Parses, checks and applies one document. Runs on the executor, one at a time. */
    synchronized void load(String json) {
        String where = "ConfigMap " + source.namespace() + "/" + source.configMap() + " key " + source.key();
        if (json == null || json.isBlank()) {
            log.warn("{} is empty; keeping the last good table", where);
            return;
        }
        RouteTable table;
        try {
            RouteTable.Builder builder = RouteTable.newBuilder();
            PARSER.merge(json, builder);
            table = builder.build();
        } catch (InvalidProtocolBufferException e) {
            log.error("{} is not a valid route table ({}); keeping the last good table", where, e.getMessage());
            return;
        }
        if (table.getVersion() < version) {
            log.warn("{} has version {}, older than the table in force ({}); ignored", where, table.getVersion(),
                    version);
            return;
        }
        List<RouteConfig> routes;
        try {
            routes = toRouteConfigs(table);
            apply.accept(routes, notWakeable(table));
        } catch (IllegalArgumentException e) {
            log.error("{} version {} rejected: {}; keeping the last good table", where, table.getVersion(),
                    e.getMessage());
            return;
        }
        version = table.getVersion();
        log.info("route table version {} from {}: {} route(s)", version, where, routes.size());
    }

    /** Converts the contract's routes; IllegalArgumentException names the route and field. */
    static List<RouteConfig> toRouteConfigs(RouteTable table) {
        List<RouteConfig> out = new ArrayList<>(table.getRoutesCount());
        for (int i = 0; i < table.getRoutesCount(); i++) {
            Route r = table.getRoutes(i);
            try {
                out.add(toRouteConfig(r));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("routes[" + i + "] (" + r.getName() + "): " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The routes whose backend nothing can wake: never held while they have no ready endpoint. */
    static Set<String> notWakeable(RouteTable table) {
        return table.getRoutesList().stream().filter(r -> r.getHold().getNotWakeable()).map(Route::getName)
                .collect(Collectors.toUnmodifiableSet());
    }

    private static RouteConfig toRouteConfig(Route r) {
        List<HeaderMatchConfig> headers = new ArrayList<>();
        for (HeaderMatch h : r.getMatch().getHeadersList()) {
            headers.add(new HeaderMatchConfig(h.getName(), h.getValue()));
        }
        MatchConfig match = new MatchConfig(r.getMatch().getHostsList(), r.getMatch().getPathPrefixesList(), headers,
                r.getMatch().getModelsList());
        KubernetesBackend b = r.getBackend();
        KubernetesBackendConfig backend = new KubernetesBackendConfig(b.getNamespace(), b.getService(),
                b.getPortNumber(), b.getPortName().isEmpty() ? null : b.getPortName(),
                b.hasReadinessPath() ? b.getReadinessPath() : null, KubernetesBackendConfig.DEFAULT_PROBE_INTERVAL,
                b.getForwardTo() == ForwardTo.FORWARD_TO_SERVICE
                        ? KubernetesBackendConfig.ForwardTo.SERVICE : KubernetesBackendConfig.ForwardTo.PODS);
        Hold h = r.getHold();
        HoldConfig hold = new HoldConfig(
                h.getColdStartTimeoutMs() > 0 ? Duration.ofMillis(h.getColdStartTimeoutMs())
                        : HoldConfig.DEFAULT_COLD_START_TIMEOUT,
                h.getMaxPendingRequests() > 0 ? h.getMaxPendingRequests() : HoldConfig.DEFAULT_MAX_PENDING_REQUESTS,
                h.hasStreamKeepAlive() ? streamKeepAlive(h.getStreamKeepAlive()) : null,
                h.hasWaitingPage() ? waitingPage(h.getWaitingPage()) : null,
                h.hasFailover() ? failover(h.getFailover()) : null);
        Duration responseHeaderTimeout = r.getResponseHeaderTimeoutMs() > 0
                ? Duration.ofMillis(r.getResponseHeaderTimeoutMs()) : null;
        return new RouteConfig(r.getName(), match, BackendConfig.ofKubernetes(backend), hold,
                r.getMaxConcurrencyPerEndpoint(), responseHeaderTimeout);
    }

    private static StreamKeepAliveConfig streamKeepAlive(StreamKeepAlive k) {
        return new StreamKeepAliveConfig(
                k.getAfterMs() > 0 ? Duration.ofMillis(k.getAfterMs()) : StreamKeepAliveConfig.DEFAULT_AFTER,
                k.getIntervalMs() > 0 ? Duration.ofMillis(k.getIntervalMs()) : StreamKeepAliveConfig.DEFAULT_INTERVAL);
    }

    private static WaitingPageConfig waitingPage(WaitingPage p) {
        int bytes = p.getTemplate().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > WaitingPageConfig.MAX_TEMPLATE_BYTES) {
            throw new IllegalArgumentException("hold.waitingPage.template: " + bytes
                    + " bytes (expected: at most " + WaitingPageConfig.MAX_TEMPLATE_BYTES + " bytes of UTF-8)");
        }
        return new WaitingPageConfig(Duration.ofMillis(Math.max(0, p.getAfterMs())),
                p.getRefreshMs() > 0 ? Duration.ofMillis(p.getRefreshMs()) : null,
                p.getTemplate().isEmpty() ? null : p.getTemplate());
    }

    private static FailoverConfig failover(Failover f) {
        URI url;
        try {
            url = FailoverConfig.parseUrl(f.getUrl().isEmpty() ? null : f.getUrl());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hold.failover.url: " + e.getMessage(), e);
        }
        return new FailoverConfig(url, f.getAfterMs() > 0 ? Duration.ofMillis(f.getAfterMs()) : null,
                f.getOnQueueFull(), Map.of());
    }

    @Override
    public void close() {
        informer.close();
    }
}
