package io.wakegate.scaler;

import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wakegate.proto.demand.DemandGrpc;
import io.wakegate.proto.externalscaler.ExternalScalerGrpc;
import io.wakegate.scaler.admin.AdminServer;
import io.wakegate.scaler.aggregate.DemandAggregator;
import io.wakegate.scaler.demand.DemandService;
import io.wakegate.scaler.keda.ExternalScalerService;
import io.wakegate.scaler.metrics.ScalerMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the scaler's lifecycle: the KEDA gRPC port (ExternalScaler + health), the demand
 * port (Demand + health; the same server when both ports are equal), the sweep thread that
 * expires interceptors and re-checks open StreamIsActive streams, and the admin HTTP port.
 *
 * <p>Health of the KEDA port is NOT_SERVING until the first demand report arrives (before
 * that every answer would be "inactive, 0"), SERVING after, and NOT_SERVING again once
 * shutdown begins. Shutdown: health NOT_SERVING, complete every open stream (interceptors
 * and KEDA reconnect elsewhere), stop accepting calls, wait the grace period, then force.
 */
public final class ScalerServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ScalerServer.class);

    /** The service name KEDA's health checks and ours use for the external scaler. */
    public static final String SCALER_SERVICE = ExternalScalerGrpc.SERVICE_NAME;

    private final Builder config;
    private final PrometheusMeterRegistry registry;
    private final ScalerMetrics metrics;
    private final DemandAggregator aggregator;
    private final ExternalScalerService scalerService;
    private final DemandService demandService;
    private final HealthStatusManager kedaHealth = new HealthStatusManager();
    private final HealthStatusManager demandHealth;
    private final List<Server> servers = new ArrayList<>();
    private ScheduledExecutorService sweeper;
    private AdminServer admin;
    private volatile boolean stopped;

    private ScalerServer(Builder b) {
        this.config = b;
        this.registry = b.registry != null ? b.registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = new ScalerMetrics(registry);
        this.aggregator = new DemandAggregator(b.aggregation, b.ticker, metrics);
        this.scalerService = new ExternalScalerService(aggregator, metrics);
        this.demandService = new DemandService(aggregator, metrics, b.scalerId);
        this.demandHealth = b.kedaPort == b.demandPort && b.kedaPort != 0 ? kedaHealth : new HealthStatusManager();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds every port and starts serving. */
    public synchronized ScalerServer start() throws IOException {
        kedaHealth.setStatus("", ServingStatus.NOT_SERVING);
        kedaHealth.setStatus(SCALER_SERVICE, ServingStatus.NOT_SERVING);
        if (demandHealth != kedaHealth) {
            demandHealth.setStatus("", ServingStatus.SERVING);
        }
        demandHealth.setStatus(DemandGrpc.SERVICE_NAME, ServingStatus.SERVING);
        aggregator.onFirstReport(() -> {
            if (!stopped) {
                kedaHealth.setStatus("", ServingStatus.SERVING);
                kedaHealth.setStatus(SCALER_SERVICE, ServingStatus.SERVING);
                log.info("first demand report received: serving KEDA");
            }
        });
        ServerCredentials creds = ScalerTls.credentials(config.tls);
        try {
            if (demandHealth == kedaHealth) {
                servers.add(grpcServer(config.kedaPort, creds)
                        .addService(scalerService).addService(demandService)
                        .addService(kedaHealth.getHealthService()).build().start());
            } else {
                servers.add(grpcServer(config.kedaPort, creds)
                        .addService(scalerService).addService(kedaHealth.getHealthService())
                        .build().start());
                servers.add(grpcServer(config.demandPort, creds)
                        .addService(demandService).addService(demandHealth.getHealthService())
                        .build().start());
            }
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "wakegate-scaler-sweep");
                t.setDaemon(true);
                return t;
            });
            long every = config.sweepInterval.toNanos();
            sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.NANOSECONDS);
            if (config.adminPort >= 0) {
                admin = new AdminServer(config.adminPort, registry, aggregator::anyReport);
                admin.start();
            }
        } catch (IOException | RuntimeException e) {
            stop(Duration.ZERO);
            throw e;
        }
        log.info("scaler {} serving KEDA on :{}, demand on :{}, admin on :{}{}", config.scalerId,
                kedaPort(), demandPort(), admin == null ? "-" : admin.port(),
                config.tls == null ? "" : config.tls.clientCa() == null ? " (TLS)" : " (mTLS)");
        return this;
    }

    /** The bound KEDA port. */
    public int kedaPort() {
        return servers.get(0).getPort();
    }

    /** The bound demand port. */
    public int demandPort() {
        return servers.get(servers.size() - 1).getPort();
    }

    /** The bound admin port, or -1 when disabled. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    public String scalerId() {
        return config.scalerId;
    }

    public ScalerMetrics metrics() {
        return metrics;
    }

    public DemandAggregator aggregator() {
        return aggregator;
    }

    /** Graceful shutdown; waits at most {@code grace} for calls to end, then forces. */
    public synchronized void stop(Duration grace) {
        if (stopped) {
            return;
        }
        stopped = true;
        kedaHealth.enterTerminalState();
        if (demandHealth != kedaHealth) {
            demandHealth.enterTerminalState();
        }
        scalerService.completeStreams();
        demandService.completeStreams();
        for (Server s : servers) {
            s.shutdown();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Server s : servers) {
            try {
                if (!s.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    s.shutdownNow();
                    s.awaitTermination(1, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                s.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (admin != null) {
            admin.close();
        }
    }

    @Override
    public void close() {
        stop(config.shutdownGrace);
    }

    /** Blocks until every gRPC server has terminated. */
    public void awaitTermination() throws InterruptedException {
        for (Server s : servers) {
            s.awaitTermination();
        }
    }

    private void sweep() {
        try {
            aggregator.sweep();
            scalerService.reevaluate();
        } catch (RuntimeException e) {
            metrics.error("internal");
            log.error("sweep failed", e);
        }
    }

    private NettyServerBuilder grpcServer(int port, ServerCredentials creds) {
        InetSocketAddress address = config.bindAddress == null
                ? new InetSocketAddress(port) : new InetSocketAddress(config.bindAddress, port);
        return NettyServerBuilder.forAddress(address, creds)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxInboundMessageSize(16 * 1024 * 1024);
    }

    /** Settings of a {@link ScalerServer}; defaults are the named constants. */
    public static final class Builder {
        public static final int DEFAULT_KEDA_PORT = 9090;
        public static final int DEFAULT_DEMAND_PORT = 9091;
        public static final int DEFAULT_ADMIN_PORT = 9092;
        public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMillis(500);
        public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(5);

        private int kedaPort = DEFAULT_KEDA_PORT;
        private int demandPort = DEFAULT_DEMAND_PORT;
        private int adminPort = DEFAULT_ADMIN_PORT;
        private InetAddress bindAddress;
        private ScalerTls tls;
        private DemandAggregator.Settings aggregation = DemandAggregator.Settings.defaults();
        private Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;
        private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
        private String scalerId = defaultId();
        private PrometheusMeterRegistry registry;
        private LongSupplier ticker = System::nanoTime;

        private Builder() {
        }

        /** Port for KEDA (0 for any free port). */
        public Builder kedaPort(int port) {
            this.kedaPort = checkPort("kedaPort", port);
            return this;
        }

        /** Port for interceptors' demand streams; equal to kedaPort serves both on one. */
        public Builder demandPort(int port) {
            this.demandPort = checkPort("demandPort", port);
            return this;
        }

        /** Admin HTTP port; negative disables it. */
        public Builder adminPort(int port) {
            this.adminPort = port;
            return this;
        }

        /** Address to bind; all interfaces when null (the default). */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = address;
            return this;
        }

        /** TLS for both gRPC ports; plaintext when null (the default). */
        public Builder tls(ScalerTls tls) {
            this.tls = tls;
            return this;
        }

        public Builder aggregation(DemandAggregator.Settings settings) {
            this.aggregation = Objects.requireNonNull(settings, "aggregation");
            return this;
        }

        /** How often interceptors are expired and open streams re-checked for flips to false. */
        public Builder sweepInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("sweepInterval: " + interval + " (expected: > 0)");
            }
            this.sweepInterval = interval;
            return this;
        }

        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = Objects.requireNonNull(grace, "shutdownGrace");
            return this;
        }

        public Builder scalerId(String id) {
            this.scalerId = Objects.requireNonNull(id, "scalerId");
            return this;
        }

        /** The registry to export to; a new Prometheus registry when not set. */
        public Builder registry(PrometheusMeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** The monotonic clock (for tests); {@link System#nanoTime()} by default. */
        public Builder ticker(LongSupplier ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        public ScalerServer build() {
            return new ScalerServer(this);
        }

        private static int checkPort(String field, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(field + ": " + port + " (expected: 0..65535)");
            }
            return port;
        }

        private static String defaultId() {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                host = "scaler";
            }
            return host + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xffffff);
        }
    }
}
