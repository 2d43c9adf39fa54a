package io.wakegate.interceptor;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wakegate.interceptor.admin.AdminServer;
import io.wakegate.interceptor.admin.AdminSource;
import io.wakegate.interceptor.admin.RouteControl;
import io.wakegate.interceptor.backend.EndpointSource;
import io.wakegate.interceptor.backend.EndpointSourceFactory;
import io.wakegate.interceptor.backend.HealthProbe;
import io.wakegate.interceptor.backend.StaticEndpointSource;
import io.wakegate.interceptor.backend.kubernetes.KubernetesBackends;
import io.wakegate.interceptor.backend.process.ProcessBackends;
import io.wakegate.interceptor.routing.ConfigMapRouteTable;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.wakegate.interceptor.config.BackendConfig;
import io.wakegate.interceptor.config.Durations;
import io.wakegate.interceptor.config.ForwardingConfig;
import io.wakegate.interceptor.config.LimitsConfig;
import io.wakegate.interceptor.config.ScalerConfig;
import io.wakegate.interceptor.config.ServerConfig;
import io.wakegate.interceptor.config.WakegateConfig;
import io.wakegate.interceptor.demand.DemandRegistry;
import io.wakegate.interceptor.demand.DemandView;
import io.wakegate.interceptor.demand.RouteDemand;
import io.wakegate.interceptor.demand.report.DemandReporter;
import io.wakegate.interceptor.demand.report.DemandReporterSettings;
import io.wakegate.interceptor.forward.BackendPools;
import io.wakegate.interceptor.forward.ForwardSettings;
import io.wakegate.interceptor.forward.ProxyContext;
import io.wakegate.interceptor.forward.ProxyHandler;
import io.wakegate.interceptor.hold.HoldLimit;
import io.wakegate.interceptor.http.Reason;
import io.wakegate.interceptor.http.RequestGuard;
import io.wakegate.interceptor.hold.ReadAheadBudget;
import io.wakegate.interceptor.metrics.ProxyMetrics;
import io.wakegate.interceptor.routing.Route;
import io.wakegate.interceptor.routing.RouteRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running interceptor: the proxy listener, its event loops, the route registry, the admin
 * server. Owns start, reload and graceful shutdown; the request path lives in the handlers.
 *
 * <p>Shutdown ({@link #shutdown()}): readiness turns false; after {@code readinessDelay} the
 * listener closes and idle connections are closed; held and in-flight requests get
 * {@code drainTimeout} to finish; what is still held then is answered 503 {@code shutting-down}
 * and what is still in flight is cut.
 */
public final class InterceptorServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InterceptorServer.class);

    private final WakegateConfig config;
    private final ProxyMetrics metrics = new ProxyMetrics();
    private final DemandRegistry demand = new DemandRegistry();
    private final HoldLimit holdLimit;
    private final RouteRegistry routes;
    private final ScheduledExecutorService probes;
    private final ScheduledExecutorService processControl;
    private final ExecutorService probeFanOut;
    private final Transport transport;
    private final int ioThreads;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final ChannelGroup connections = new DefaultChannelGroup("wakegate-clients", GlobalEventExecutor.INSTANCE);
    private final BackendPools pools;
    private final ProcessBackends processes;
    private final RouteControl control;
    private Channel listener;
    private AdminServer admin;
    private DemandReporter reporter;
    private KubernetesClient kubernetes;
    private final boolean ownsKubernetesClient;
    private KubernetesBackends kubernetesBackends;
    private ConfigMapRouteTable routeTable;
    private volatile boolean ready;
    private volatile boolean draining;
    private boolean stopped;

    private InterceptorServer(WakegateConfig config, EndpointSourceFactory sourceFactory, KubernetesClient kubernetes) {
        this.config = config;
        this.kubernetes = kubernetes;
        this.ownsKubernetesClient = kubernetes == null;
        LimitsConfig limits = config.limits();
        ForwardingConfig forwarding = config.forwarding();
        this.holdLimit = new HoldLimit(limits.maxPendingRequestsTotal());
        this.probes = Executors.newScheduledThreadPool(4, new DefaultThreadFactory("wakegate-probe", true));
        // Process control blocks for up to a stop's grace period: never on the probes' threads, so
        // processes that ignore SIGTERM cannot delay other routes' readiness.
        this.processControl = Executors.newScheduledThreadPool(4, new DefaultThreadFactory("wakegate-process", true));
        this.probeFanOut = Executors.newCachedThreadPool(new DefaultThreadFactory("wakegate-probe-url", true));
        this.processes = new ProcessBackends(processControl, metrics.registry());
        EndpointSourceFactory factory = sourceFactory != null ? sourceFactory : this::defaultSource;
        this.routes = new RouteRegistry(demand, metrics, holdLimit, factory);
        this.control = new RouteControl(routes::current, probes);
        this.transport = Transport.choose(config.server().transport());
        this.ioThreads = config.server().ioThreads() > 0 ? config.server().ioThreads()
                : Runtime.getRuntime().availableProcessors();
        this.acceptors = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("wakegate-accept"),
                transport.newHandlerFactory());
        this.workers = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("wakegate-io"),
                transport.newHandlerFactory());
        this.pools = new BackendPools(new ForwardSettings(forwarding.connectTimeout(), forwarding.backendIdleTimeout(),
                forwarding.maxIdleConnectionsPerEndpoint(), limits.maxRequestBodySize(),
                ForwardSettings.DEFAULT_MAX_RESPONSE_HEADER_SIZE, forwarding.streamIdleTimeout(), forwarding.upgrades(),
                limits.modelReadAhead(), limits.requestHeaderTimeout()),
                transport.socketChannel());
    }

    /** Starts with static backends (and any other kinds the default factory knows). */
    public static InterceptorServer start(WakegateConfig config) throws InterruptedException {
        return start(config, null);
    }

    /**
     * Starts serving {@code config}. {@code sourceFactory} creates endpoint sources for route
     * backends; null uses the built-in kinds.
     */
    public static InterceptorServer start(WakegateConfig config, EndpointSourceFactory sourceFactory)
            throws InterruptedException {
        return start(config, sourceFactory, null);
    }

    /**
     * Starts serving {@code config} with {@code kubernetes} as the client for Kubernetes
     * backends and the route-table ConfigMap; null builds one from the environment (in-cluster
     * service account or kubeconfig) when the configuration needs it.
     */
    public static InterceptorServer start(WakegateConfig config, EndpointSourceFactory sourceFactory,
                                          KubernetesClient kubernetes) throws InterruptedException {
        InterceptorServer server = new InterceptorServer(config, sourceFactory, kubernetes);
        try {
            server.bind();
            return server;
        } catch (InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void bind() throws InterruptedException {
        if (config.kubernetes() != null && config.kubernetes().routeTable() != null) {
            routeTable = new ConfigMapRouteTable(kubernetes(), config.kubernetes().routeTable(), probes,
                    (table, notWakeable) -> routes.apply(table, config.forwarding(), notWakeable));
            routeTable.start();
        } else {
            routes.apply(config.routes(), config.forwarding());
        }
        LimitsConfig limits = config.limits();
        ServerConfig server = config.server();
        ReadAheadBudget readAhead = new ReadAheadBudget(limits.readAheadBudget());
        metrics.readAhead(readAhead);
        ProxyContext context = new ProxyContext(routes::current, pools, pools.settings(), metrics, () -> draining,
                readAhead, control::state);
        RequestGuard guard = new RequestGuard(limits.maxRequestBodySize(), metrics::rejectedUnrouted);
        ChannelFuture bound = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true) // notice vanished clients of long exchanges
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, BackendPools.WATER_MARK)
                .childHandler(new ProxyChannelInitializer(context, guard, limits.maxInitialLineLength(),
                        limits.maxHeaderSize(), limits.idleTimeout().toNanos(),
                        limits.requestHeaderTimeout().toNanos(), connections))
                .bind(new InetSocketAddress(server.bindAddress(), server.port())).await();
        if (!bound.isSuccess()) {
            throw bindFailed(bound.cause(), "server.port", server.bindAddress(), server.port());
        }
        listener = bound.channel();
        try {
            admin = AdminServer.start(server.adminBindAddress(), server.adminPort(), server.adminToken(), new Admin());
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) { // Netty's sync() rethrows the BindException undeclared
            throw bindFailed(e, "server.adminPort", server.adminBindAddress(), server.adminPort());
        }
        if (config.scaler() != null) {
            reporter = new DemandReporter(demand, reporterSettings(config.scaler()), metrics.registry());
            reporter.start();
            log.info("reporting demand to {}", config.scaler().address());
        }
        ready = true;
        log.info("proxy listening on {} ({} transport, {} event loops)", listener.localAddress(), transport, ioThreads);
    }

    /**
     * A failed bind as a start-up problem that names the field:
     * {@code server.port: 127.0.0.1:8080 cannot be bound: Address already in use (expected: ...)}.
     */
    private static RuntimeException bindFailed(Throwable cause, String field, String address, int port) {
        if (cause instanceof java.io.IOException) { // NIO's BindException, or the native transports' errno
            String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage()
                    .replaceFirst("^bind\\(\\.\\.\\) failed[^:]*: ", ""); // epoll: "bind(..) failed with error(-98): "
            return new IllegalArgumentException(field + ": " + address + ":" + port + " cannot be bound: "
                    + reason + " (expected: a free port on a local address; 0 picks one)", cause);
        }
        return new IllegalStateException(field + ": binding " + address + ":" + port + " failed", cause);
    }

    /**
     * Applies a reloaded configuration's routes. Listener addresses, limits and forwarding
     * settings take effect at the next start; a change to them is logged.
     */
    public void reload(WakegateConfig next) {
        if (!next.server().equals(config.server()) || !next.limits().equals(config.limits())
                || !next.forwarding().equals(config.forwarding()) || !next.shutdown().equals(config.shutdown())
                || !java.util.Objects.equals(next.scaler(), config.scaler())) {
            log.warn("configuration reload: server, limits, forwarding, shutdown and scaler settings apply at the "
                    + "next restart; routes are applied now");
        }
        if (routeTable == null) {
            routes.apply(next.routes(), config.forwarding());
        }
    }

    /** The Kubernetes client, built on first use when none was given. */
    private synchronized KubernetesClient kubernetes() {
        if (kubernetes == null) {
            kubernetes = new KubernetesClientBuilder().build();
            log.info("Kubernetes API at {}", kubernetes.getMasterUrl());
        }
        return kubernetes;
    }

    private synchronized KubernetesBackends kubernetesBackends() {
        if (kubernetesBackends == null) {
            kubernetesBackends = new KubernetesBackends(kubernetes(), probes);
        }
        return kubernetesBackends;
    }

    public InetSocketAddress proxyAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    /** The demand counters, for the scaler reporter. */
    public DemandView demand() {
        return demand;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    public RouteRegistry routes() {
        return routes;
    }

    /** Idle pooled backend connections, for tests. */
    public int idleBackendConnections() {
        return pools.idleConnections();
    }

    /** Graceful shutdown as configured. Blocks the calling thread (never an event loop). */
    public synchronized void shutdown() {
        if (stopped) {
            return;
        }
        stopped = true;
        Duration readinessDelay = config.shutdown().readinessDelay();
        Duration drainTimeout = config.shutdown().drainTimeout();
        log.info("shutting down: readiness off, listener closes in {}, drain up to {}",
                Durations.format(readinessDelay), Durations.format(drainTimeout));
        ready = false;
        sleep(readinessDelay.toMillis());
        draining = true;
        control.close(); // operators' wakes are not requests: nothing to drain
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        closeIdleConnections();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (busy() && System.nanoTime() < deadline) {
            sleep(50);
            closeIdleConnections();
        }
        if (busy()) {
            log.warn("drain period over: answering held requests 503 and cutting what is still in flight");
        }
        routes.closeGates(Reason.SHUTTING_DOWN);
        sleep(100); // let the 503s be written
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        stopResources();
        log.info("stopped");
    }

    @Override
    public void close() {
        if (listener == null) {
            stopped = true;
            stopResources();
            return;
        }
        shutdown();
    }

    private static DemandReporterSettings reporterSettings(ScalerConfig scaler) {
        DemandReporterSettings settings = DemandReporterSettings.of(scaler.address())
                .withInterval(scaler.reportInterval());
        ScalerConfig.Tls tls = scaler.tls();
        if (tls != null) {
            settings = settings.withTls(new DemandReporterSettings.Tls(tls.trustCertificates(),
                    tls.clientCertificate(), tls.clientKey()));
        }
        return settings;
    }

    private void stopResources() {
        if (reporter != null) {
            reporter.close(); // after the drain: the last report shows the routes back at zero
        }
        if (routeTable != null) {
            routeTable.close();
        }
        routes.close();
        processes.close();
        synchronized (this) {
            if (kubernetesBackends != null) {
                kubernetesBackends.close();
            }
            if (kubernetes != null && ownsKubernetesClient) {
                kubernetes.close();
            }
        }
        probes.shutdownNow();
        processControl.shutdownNow();
        probeFanOut.shutdownNow();
        if (admin != null) {
            admin.close();
        }
        acceptors.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private boolean busy() {
        for (RouteDemand d : demand.snapshot()) {
            if (d.active()) {
                return true;
            }
        }
        return false;
    }

    /** Closes connections waiting for a next request; busy ones close when their exchange ends. */
    private void closeIdleConnections() {
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> {
                ProxyHandler h = ch.pipeline().get(ProxyHandler.class);
                if (h != null && !h.busy()) {
                    ch.close();
                }
            });
        }
    }

    private EndpointSource defaultSource(String route, BackendConfig backend) {
        if (backend.processBackend() != null) {
            return processes.create(route, backend.processBackend());
        }
        if (backend.kubernetesBackend() != null) {
            return kubernetesBackends().create(route, backend.kubernetesBackend());
        }
        if (backend.staticBackend() != null) {
            var s = backend.staticBackend();
            return new StaticEndpointSource(route, s.urls(),
                    new HealthProbe(s.healthCheck().path(), s.healthCheck().timeout()),
                    s.healthCheck().interval(), probes, probeFanOut);
        }
        throw new IllegalArgumentException("route " + route + ": backend kind " + backend.kind()
                + " is not supported by this interceptor");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the admin server reports. */
    private final class Admin implements AdminSource {
        @Override
        public boolean ready() {
            return ready;
        }

        @Override
        public String metrics() {
            return metrics.scrape();
        }

        @Override
        public RouteControl routes() {
            return control;
        }

        @Override
        public Object queue() {
            Map<String, RouteDemand> byRoute = new LinkedHashMap<>();
            for (RouteDemand d : demand.snapshot()) {
                byRoute.put(d.route(), d);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            for (Route route : routes.current().list()) {
                RouteDemand d = byRoute.get(route.name());
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("route", route.name());
                entry.put("held", d == null ? 0 : d.held());
                entry.put("inFlight", d == null ? 0 : d.inFlight());
                entry.put("requestCount", d == null ? 0 : d.requestCount());
                entry.put("backend", route.source() == null ? Map.of("state", "none") : route.source().describe());
                List<Map<String, Object>> endpoints = new ArrayList<>();
                route.gate().readyEndpoints().forEach(e -> {
                    Map<String, Object> ep = new LinkedHashMap<>();
                    ep.put("endpoint", e.name());
                    ep.put("outstanding", e.outstanding());
                    endpoints.add(ep);
                });
                entry.put("readyEndpoints", endpoints);
                out.add(entry);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("routes", out);
            doc.put("heldTotal", holdLimit.held());
            doc.put("maxHeldTotal", holdLimit.max());
            doc.put("ready", ready);
            return doc;
        }
    }
}
