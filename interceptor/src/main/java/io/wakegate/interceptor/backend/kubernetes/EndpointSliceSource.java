package io.wakegate.interceptor.backend.kubernetes;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.netty.util.NetUtil;
import io.wakegate.interceptor.backend.EndpointListener;
import io.wakegate.interceptor.backend.EndpointSource;
import io.wakegate.interceptor.backend.HealthProbe;
import io.wakegate.interceptor.backend.SourceStatus;
import io.wakegate.interceptor.config.KubernetesBackendConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's endpoints from its Service's EndpointSlices. An address counts when its slice
 * condition is {@code ready} and not {@code terminating}; with a readiness path it must also
 * pass an HTTP probe once before it gets traffic (probed again every {@code probeInterval} until
 * it does). With {@code forwardTo: service} the single endpoint is the Service's cluster IP,
 * ready while any pod address counts.
 *
 * <p>Addresses by the slice's {@code addressType}: in IPv4 and IPv6 slices they are IP literals
 * and parsed as such, never looked up. In FQDN slices they are names, resolved by the shared
 * {@link FqdnResolver} on its own threads: a name counts once its lookup has answered (the source
 * recomputes then), and is refreshed while a slice lists it. Nothing on the recompute path blocks
 * on DNS, and the Service's cluster IP is a literal too.
 *
 * <p>Recomputed on every change event of the Service or its slices and when a name resolves, on
 * the probe scheduler; {@link #recompute()} is serialised by this object's monitor.
 */
public final class EndpointSliceSource implements EndpointSource {

    private static final Logger log = LoggerFactory.getLogger(EndpointSliceSource.class);
    private static final String FQDN = "FQDN";

    private final String route;
    private final KubernetesBackendConfig config;
    private final NamespaceWatch watch;
    private final FqdnResolver resolver;
    private final ScheduledExecutorService executor;
    private final HealthProbe probe;
    private final Runnable onChange = this::recompute;
    /** Endpoints by "ip:port", reused while the address stays, so outstanding counts survive. */
    private final Map<String, io.wakegate.interceptor.backend.Endpoint> known = new HashMap<>();
    /** Addresses that passed the readiness probe (only with a readiness path). */
    private final Set<String> probed = new HashSet<>();
    /** Addresses with a probe scheduled or running. */
    private final Set<String> probing = new HashSet<>();
    private volatile EndpointListener listener;
    private List<io.wakegate.interceptor.backend.Endpoint> lastReady = List.of();
    private volatile String state = "watching";
    private volatile boolean closed;

    EndpointSliceSource(String route, KubernetesBackendConfig config, NamespaceWatch watch, FqdnResolver resolver,
                        ScheduledExecutorService executor) {
        this.route = route;
        this.config = config;
        this.watch = watch;
        this.resolver = resolver;
        this.executor = executor;
        this.probe = config.readinessPath() == null ? null
                : new HealthProbe(config.readinessPath(), java.time.Duration.ofSeconds(1));
    }

    @Override
    public void start(EndpointListener listener) {
        this.listener = listener;
        watch.watch(config.service(), onChange);
        log.info("route {}: endpoints of service {}/{} ({}), forwarding to {}", route, config.namespace(),
                config.service(), portDescription(), config.forwardTo().name().toLowerCase(java.util.Locale.ROOT));
    }

    /** Re-reads the caches and reports the ready endpoints if they changed. */
    synchronized void recompute() {
        if (closed || listener == null) {
            return;
        }
        Map<String, InetSocketAddress> counted = countedAddresses();
        known.keySet().removeIf(k -> !counted.containsKey(k) && !k.startsWith("service#"));
        probed.retainAll(counted.keySet());
        List<io.wakegate.interceptor.backend.Endpoint> ready = new ArrayList<>();
        if (config.forwardTo() == KubernetesBackendConfig.ForwardTo.SERVICE) {
            // One slot per usable pod, all at the Service's address: the per-endpoint cap then
            // bounds the Service at cap × ready pods, and the gate's accounting stays per slot.
            long usable = counted.keySet().stream().filter(this::usable).count();
            for (int i = 0; i < usable; i++) {
                io.wakegate.interceptor.backend.Endpoint slot = serviceEndpoint(i);
                if (slot != null) {
                    ready.add(slot);
                }
            }
        } else {
            for (Map.Entry<String, InetSocketAddress> e : counted.entrySet()) {
                if (usable(e.getKey())) {
                    ready.add(known.computeIfAbsent(e.getKey(),
                            k -> new io.wakegate.interceptor.backend.Endpoint(k, e.getValue())));
                }
            }
        }
        if (probe != null) {
            for (Map.Entry<String, InetSocketAddress> e : counted.entrySet()) {
                if (!probed.contains(e.getKey()) && probing.add(e.getKey())) {
                    executor.execute(() -> probe(e.getKey(), e.getValue()));
                }
            }
        }
        state = !watch.synced() ? "syncing" : ready.isEmpty()
                ? (counted.isEmpty() ? "no-ready-endpoints" : "probing") : "ready";
        if (!ready.equals(lastReady)) {
            log.info("route {}: {} ready endpoint(s): {}", route, ready.size(), ready);
            lastReady = List.copyOf(ready);
            listener.endpointsChanged(lastReady);
        }
    }

    private boolean usable(String address) {
        return probe == null || probed.contains(address);
    }

    /** Probes one new address until it passes or leaves the slices. Blocking; on the scheduler. */
    private void probe(String key, InetSocketAddress address) {
        if (closed) {
            return;
        }
        boolean ok = probe.check(address, config.service() + "." + config.namespace());
        synchronized (this) {
            boolean stillThere = known.containsKey(key) || countedAddresses().containsKey(key);
            if (!stillThere) {
                probing.remove(key);
                return;
            }
            if (ok) {
                probing.remove(key);
                probed.add(key);
                log.info("route {}: endpoint {} passed its readiness probe {}", route, key, config.readinessPath());
            } else {
                executor.schedule(() -> probe(key, address), config.probeInterval().toNanos(), TimeUnit.NANOSECONDS);
                return;
            }
        }
        recompute();
    }

    /**
     * Ready, not terminating pod addresses with the backend's target port, by "ip:port" (FQDN
     * slices: "name/ip:port", so a name that resolves anew is a new endpoint). Never blocks.
     */
    private Map<String, InetSocketAddress> countedAddresses() {
        Map<String, InetSocketAddress> out = new LinkedHashMap<>();
        boolean names = false;
        String portName = effectivePortName();
        for (EndpointSlice slice : watch.slicesOf(config.service())) {
            Integer port = slicePort(slice, portName);
            if (port == null || slice.getEndpoints() == null) {
                continue;
            }
            boolean fqdn = FQDN.equals(slice.getAddressType());
            for (Endpoint endpoint : slice.getEndpoints()) {
                if (!counts(endpoint.getConditions()) || endpoint.getAddresses() == null) {
                    continue;
                }
                for (String address : endpoint.getAddresses()) {
                    if (fqdn) {
                        names = true;
                        resolver.address(address, onChange).ifPresent(ip -> put(out, address + "/", ip, port));
                    } else {
                        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(address); // a literal or null
                        if (ip != null) {
                            put(out, "", ip, port);
                        }
                    }
                }
            }
        }
        // While names are in use, the resolver's ticks make this source ask again: that refreshes them.
        if (names) {
            resolver.listen(onChange);
        } else {
            resolver.unlisten(onChange);
        }
        return out;
    }

    private static void put(Map<String, InetSocketAddress> out, String prefix, InetAddress ip, int port) {
        InetSocketAddress address = new InetSocketAddress(ip, port);
        out.put(prefix + NetUtil.toSocketAddressString(address), address);
    }

    /** EndpointSlice semantics: ready nil counts as ready; terminating endpoints never count. */
    private static boolean counts(EndpointConditions c) {
        if (c == null) {
            return true;
        }
        return !Boolean.FALSE.equals(c.getReady()) && !Boolean.TRUE.equals(c.getTerminating());
    }

    /** The slice port carrying the Service port's name ("" or null for an unnamed single port). */
    private static Integer slicePort(EndpointSlice slice, String portName) {
        if (slice.getPorts() == null) {
            return null;
        }
        for (EndpointPort p : slice.getPorts()) {
            String name = p.getName() == null ? "" : p.getName();
            if (name.equals(portName == null ? "" : portName) && p.getPort() != null) {
                return p.getPort();
            }
        }
        return null;
    }

    /** The Service port's name: given, or looked up by number on the Service. */
    private String effectivePortName() {
        if (config.portName() != null && !config.portName().isEmpty()) {
            return config.portName();
        }
        Service service = watch.service(config.service());
        if (service == null || service.getSpec() == null || service.getSpec().getPorts() == null) {
            return "";
        }
        for (ServicePort p : service.getSpec().getPorts()) {
            if (Objects.equals(p.getPort(), config.portNumber())) {
                return p.getName() == null ? "" : p.getName();
            }
        }
        return null; // the port is not on the Service: nothing counts
    }

    private io.wakegate.interceptor.backend.Endpoint serviceEndpoint(int slot) {
        Service service = watch.service(config.service());
        if (service == null || service.getSpec() == null || service.getSpec().getClusterIP() == null
                || "None".equals(service.getSpec().getClusterIP())) {
            return null;
        }
        int port = config.portNumber();
        if (port == 0 && service.getSpec().getPorts() != null) {
            for (ServicePort p : service.getSpec().getPorts()) {
                if (config.portName().equals(p.getName())) {
                    port = p.getPort();
                }
            }
        }
        InetAddress clusterIp = NetUtil.createInetAddressFromIpAddressString(service.getSpec().getClusterIP());
        if (clusterIp == null) {
            return null;
        }
        InetSocketAddress address = new InetSocketAddress(clusterIp, port);
        String name = config.service() + "." + config.namespace() + ":" + address.getPort() + "#" + slot;
        io.wakegate.interceptor.backend.Endpoint current = known.get("service#" + slot);
        if (current == null || !current.address().equals(address)) {
            current = new io.wakegate.interceptor.backend.Endpoint(name, address);
            known.put("service#" + slot, current);
        }
        return current;
    }

    private String portDescription() {
        return config.portName() != null && !config.portName().isEmpty() ? "port " + config.portName()
                : "port " + config.portNumber();
    }

    @Override
    public void wake() {
        // KEDA wakes the workload; the informers report its endpoints as they come.
    }

    @Override
    public SourceStatus status() {
        return new SourceStatus("kubernetes", "ready".equals(state) ? SourceStatus.Phase.READY
                : SourceStatus.Phase.SLEEPING, null, null, -1);
    }

    @Override
    public boolean scaledByDemand() {
        return true;
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> sleep() {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException(
                "KEDA owns the replicas of a Kubernetes backend: it scales to zero after its cooldown once demand"
                        + " stops"));
    }

    @Override
    public void connectFailed(io.wakegate.interceptor.backend.Endpoint endpoint) {
        synchronized (this) {
            probed.remove(endpoint.name()); // probe it again before more traffic
            lastReady = null; // the gate dropped it: the next recompute reports even an unchanged list
        }
        executor.execute(this::recompute);
    }

    @Override
    public String state() {
        return state;
    }

    @Override
    public synchronized void close() {
        closed = true;
        watch.unwatch(config.service(), onChange);
        resolver.unlisten(onChange);
    }
}
