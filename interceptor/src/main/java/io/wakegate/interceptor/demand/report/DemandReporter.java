package io.wakegate.interceptor.demand.report;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wakegate.interceptor.demand.DemandView;
import io.wakegate.interceptor.demand.RouteDemand;
import io.wakegate.proto.demand.DemandGrpc;
import io.wakegate.proto.demand.DemandReport;
import io.wakegate.proto.demand.ReportAck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams this interceptor's demand to every scaler replica.
 *
 * <p>Resolves every address behind the target's names (a headless Service), keeps one
 * {@code Demand.Report} stream per address, and follows changes by resolving again every
 * {@code resolveInterval}. Every new stream starts with the full state; after that each
 * stream gets the routes that changed, every {@code interval} while any route has demand
 * or changed, and nothing while all is idle. A route going from no demand to some is
 * reported at once, without waiting for the interval. A failed stream is reopened after a
 * capped, jittered exponential backoff; a scaler that is down costs a rate-limited log
 * line and the {@code wakegate_interceptor_demand_stream_failures_total} counter.
 *
 * <p>Threading: all stream and report work runs on one reporter thread; DNS lookups run on
 * a second thread so a slow resolver never delays a report. The activation listener this
 * registers on the {@link DemandView} runs on the request's thread (a Netty event loop):
 * it only flips a flag and enqueues a task, never blocks. Public methods are thread-safe.
 */
public final class DemandReporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DemandReporter.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Resolves a host name to all its addresses; replaceable in tests. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final DemandView view;
    private final DemandReporterSettings settings;
    private final Resolver resolver;
    private final ChannelCredentials credentials;
    private final ScheduledExecutorService reporterThread;
    private final ScheduledExecutorService resolverThread;
    private final AtomicBoolean activationQueued = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicInteger connected = new AtomicInteger();
    private final Counter reportsSent;
    private final Counter streamFailures;
    private final Counter activations;

    // reporter thread only
    private final Map<InetSocketAddress, Link> links = new LinkedHashMap<>();
    private final Map<DemandReporterSettings.Endpoint, List<InetSocketAddress>> resolved = new HashMap<>();
    private Map<String, RouteDemand> lastSent = Map.of();
    private long sequence;
    private boolean closed;
    private volatile Set<InetSocketAddress> addressesView = Set.of();

    /**
     * @param view     the interceptor's demand counters
     * @param settings where and how often to report
     * @param registry where to register the reporter's meters; null for none
     */
    public DemandReporter(DemandView view, DemandReporterSettings settings, MeterRegistry registry) {
        this(view, settings, registry, InetAddress::getAllByName);
    }

    DemandReporter(DemandView view, DemandReporterSettings settings, MeterRegistry registry,
                   Resolver resolver) {
        this.view = Objects.requireNonNull(view, "view");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        try {
            this.credentials = credentials(settings.tls());
        } catch (IOException e) {
            throw new IllegalArgumentException("tls: " + e.getMessage() + " (expected: readable PEM files)", e);
        }
        MeterRegistry r = registry != null ? registry : new SimpleMeterRegistry();
        reportsSent = Counter.builder("wakegate.interceptor.demand.reports")
                .description("Demand reports sent to scalers (one per stream)").register(r);
        streamFailures = Counter.builder("wakegate.interceptor.demand.stream.failures")
                .description("Demand streams to a scaler that failed or could not be opened")
                .register(r);
        activations = Counter.builder("wakegate.interceptor.demand.activations")
                .description("Routes that went from no demand to some, reported at once")
                .register(r);
        r.gauge("wakegate.interceptor.demand.scalers", connected);
        reporterThread = Executors.newSingleThreadScheduledExecutor(daemon("wakegate-demand-reporter"));
        resolverThread = Executors.newSingleThreadScheduledExecutor(daemon("wakegate-demand-resolver"));
    }

    /** Starts resolving, connecting and reporting. Returns at once. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        view.addActivationListener(this::onActivation);
        long interval = settings.interval().toNanos();
        reporterThread.scheduleWithFixedDelay(this::tick, interval, interval, TimeUnit.NANOSECONDS);
        resolverThread.scheduleWithFixedDelay(this::resolve, 0,
                settings.resolveInterval().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Scaler streams that are open and acknowledged now. */
    public int connectedScalers() {
        return connected.get();
    }

    /** The scaler addresses currently resolved (one stream each). */
    public Set<InetSocketAddress> scalerAddresses() {
        return addressesView;
    }

    /** The identity this reporter sends. */
    public String interceptorId() {
        return settings.interceptorId();
    }

    /** Ends every stream and channel; waits briefly for them. Idempotent. */
    @Override
    public void close() {
        List<ManagedChannel> channels = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            reporterThread.execute(() -> {
                closed = true;
                for (Link link : links.values()) {
                    channels.add(link.close());
                }
                links.clear();
                done.complete(null);
            });
            done.get(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            return; // already closed
        } catch (Exception e) {
            log.debug("demand reporter did not stop in time", e);
        }
        resolverThread.shutdownNow();
        reporterThread.shutdownNow();
        for (ManagedChannel ch : channels) {
            try {
                if (!ch.awaitTermination(1, TimeUnit.SECONDS)) {
                    ch.shutdownNow();
                }
            } catch (InterruptedException e) {
                ch.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- request thread ---------------------------------------------------------------

    /** When each route was last reported with demand (nanoTime); read on event loops. */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> lastBusyReport =
            new java.util.concurrent.ConcurrentHashMap<>();

    private void onActivation(String route) {
        // a Netty event loop: flip a flag, enqueue at most one task, never block.
        // A route reported busy less than an interval ago is active at the scaler already (its
        // window holds that activity); the periodic report carries this request. Without this a
        // quiet route whose requests run one at a time would send a report per request.
        Long busyAt = lastBusyReport.get(route);
        if (busyAt != null && System.nanoTime() - busyAt < settings.interval().toNanos()) {
            return;
        }
        if (activationQueued.compareAndSet(false, true)) {
            try {
                reporterThread.execute(() -> {
                    activationQueued.set(false);
                    activations.increment();
                    tick();
                });
            } catch (RejectedExecutionException e) {
                activationQueued.set(false); // closed
            }
        }
    }

    // ---- resolver thread --------------------------------------------------------------

    private void resolve() {
        Map<DemandReporterSettings.Endpoint, List<InetSocketAddress>> found = new HashMap<>();
        for (DemandReporterSettings.Endpoint ep : settings.endpoints()) {
            try {
                List<InetSocketAddress> addrs = new ArrayList<>();
                for (InetAddress a : resolver.resolve(ep.host())) {
                    addrs.add(new InetSocketAddress(a, ep.port()));
                }
                found.put(ep, addrs);
            } catch (UnknownHostException | RuntimeException e) {
                // keep what this name resolved to last time: a DNS hiccup must not drop streams
                log.warn("cannot resolve scaler host {}: {}; keeping the previous addresses",
                        ep.host(), e.toString());
            }
        }
        try {
            reporterThread.execute(() -> applyAddresses(found));
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    // ---- reporter thread --------------------------------------------------------------

    private void applyAddresses(Map<DemandReporterSettings.Endpoint, List<InetSocketAddress>> found) {
        if (closed) {
            return;
        }
        resolved.putAll(found);
        Map<InetSocketAddress, String> wanted = new LinkedHashMap<>();
        for (Map.Entry<DemandReporterSettings.Endpoint, List<InetSocketAddress>> e : resolved.entrySet()) {
            for (InetSocketAddress a : e.getValue()) {
                wanted.putIfAbsent(a, e.getKey().authority());
            }
        }
        for (var it = links.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                log.info("scaler {} no longer resolved; closing its demand stream", e.getKey());
                e.getValue().close();
                it.remove();
            }
        }
        for (Map.Entry<InetSocketAddress, String> e : wanted.entrySet()) {
            if (!links.containsKey(e.getKey())) {
                Link link = new Link(e.getKey(), e.getValue());
                links.put(e.getKey(), link);
                link.open();
            }
        }
        addressesView = Set.copyOf(links.keySet());
    }

    /** Sends what changed since the last report to every open stream; nothing if idle. */
    private void tick() {
        if (closed) {
            return;
        }
        try {
            List<RouteDemand> snapshot = view.snapshot();
            Map<String, RouteDemand> now = new HashMap<>(snapshot.size() * 2);
            List<RouteDemand> changed = new ArrayList<>();
            long nowNanos = System.nanoTime();
            for (RouteDemand d : snapshot) {
                now.put(d.route(), d);
                RouteDemand previous = lastSent.get(d.route());
                if (!sameCounters(d, previous)) {
                    changed.add(d);
                    if (d.active() || previous == null || d.requestCount() != previous.requestCount()) {
                        lastBusyReport.put(d.route(), nowNanos);
                    }
                }
            }
            List<String> removed = new ArrayList<>();
            for (String route : lastSent.keySet()) {
                if (!now.containsKey(route)) {
                    removed.add(route);
                    lastBusyReport.remove(route);
                }
            }
            if (changed.isEmpty() && removed.isEmpty()) {
                return; // idle: nothing to say
            }
            long seq = ++sequence;
            DemandReport partial = report(seq, false, changed).addAllRemovedRoutes(removed).build();
            DemandReport full = null;
            for (Link link : links.values()) {
                if (link.stream == null) {
                    continue;
                }
                if (link.needsFull || !link.stream.isReady()) {
                    if (link.stream.isReady()) {
                        if (full == null) {
                            full = report(seq, true, snapshot).build();
                        }
                        link.send(full);
                    } else {
                        link.needsFull = true; // drop, resend everything when ready again
                    }
                } else {
                    link.send(partial);
                }
            }
            lastSent = now;
        } catch (RuntimeException e) {
            log.error("demand report failed", e);
        }
    }

    private DemandReport fullReport() {
        return report(++sequence, true, view.snapshot()).build();
    }

    private DemandReport.Builder report(long seq, boolean full, List<RouteDemand> routes) {
        DemandReport.Builder b = DemandReport.newBuilder()
                .setInterceptorId(settings.interceptorId())
                .setSequence(seq)
                .setIntervalMillis((int) settings.interval().toMillis())
                .setFullState(full);
        for (RouteDemand d : routes) {
            b.addRoutes(io.wakegate.proto.demand.RouteDemand.newBuilder()
                    .setRoute(d.route())
                    .setHeld(Math.max(0, d.held()))
                    .setInFlight(Math.max(0, d.inFlight()))
                    .setRequestCount(d.requestCount())
                    .setConcurrencyNanos(d.concurrencyNanos()));
        }
        return b;
    }

    private static boolean sameCounters(RouteDemand a, RouteDemand b) {
        return b != null && a.held() == b.held() && a.inFlight() == b.inFlight()
                && a.requestCount() == b.requestCount() && a.concurrencyNanos() == b.concurrencyNanos();
    }

    private long backoffNanos(int attempt) {
        long initial = settings.initialBackoff().toNanos();
        long max = settings.maxBackoff().toNanos();
        long delay = attempt >= 30 ? max : Math.min(max, initial << Math.min(attempt, 30));
        delay = Math.min(max, Math.max(initial, delay));
        return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1); // jitter: [d/2, d]
    }

    private static ChannelCredentials credentials(DemandReporterSettings.Tls tls) throws IOException {
        if (tls == null) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
        if (tls.trustCertificates() != null) {
            b.trustManager(tls.trustCertificates().toFile());
        }
        if (tls.clientCertChain() != null) {
            b.keyManager(tls.clientCertChain().toFile(), tls.clientKey().toFile());
        }
        return b.build();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** One scaler address: a channel and at most one open stream. Reporter thread only. */
    private final class Link {
        final InetSocketAddress address;
        final ManagedChannel channel;
        final DemandGrpc.DemandStub stub;
        ClientCallStreamObserver<DemandReport> stream;
        int generation;
        boolean acked;
        boolean needsFull;
        int attempt;
        int failuresSinceLog;
        long lastLogNanos = System.nanoTime() - LOG_EVERY_NANOS;
        boolean everConnected;
        ScheduledFuture<?> reconnect;
        boolean linkClosed;

        Link(InetSocketAddress address, String authority) {
            this.address = address;
            this.channel = NettyChannelBuilder.forAddress(address, credentials)
                    .overrideAuthority(authority)
                    .keepAliveTime(20, TimeUnit.SECONDS)
                    .keepAliveTimeout(10, TimeUnit.SECONDS)
                    .build();
            this.stub = DemandGrpc.newStub(channel);
        }

        void open() {
            reconnect = null;
            if (linkClosed || closed) {
                return;
            }
            channel.resetConnectBackoff(); // our backoff governs, not the channel's
            int gen = ++generation;
            acked = false;
            needsFull = false;
            stub.report(new ClientResponseObserver<DemandReport, ReportAck>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<DemandReport> requestStream) {
                    stream = requestStream; // called synchronously from stub.report
                    requestStream.setOnReadyHandler(() -> post(gen, Link.this::onReady));
                }

                @Override
                public void onNext(ReportAck ack) {
                    post(gen, () -> onAck(ack));
                }

                @Override
                public void onError(Throwable t) {
                    post(gen, () -> onEnd(t));
                }

                @Override
                public void onCompleted() {
                    post(gen, () -> onEnd(null));
                }
            });
            send(fullReport());
        }

        void send(DemandReport report) {
            try {
                stream.onNext(report);
                reportsSent.increment();
            } catch (RuntimeException e) {
                // the call already failed; onError follows and reconnects
                log.debug("demand report to {} not sent: {}", address, e.toString());
            }
        }

        private void onReady() {
            if (stream != null && needsFull && stream.isReady()) {
                needsFull = false;
                send(fullReport());
            }
        }

        private void onAck(ReportAck ack) {
            if (!acked) {
                acked = true;
                attempt = 0;
                connected.incrementAndGet();
                if (!everConnected || failuresSinceLog > 0) {
                    log.info("demand stream to scaler {} ({}) open", address, ack.getScalerId());
                }
                everConnected = true;
                failuresSinceLog = 0;
            }
        }

        private void onEnd(Throwable error) {
            if (acked) {
                connected.decrementAndGet();
            }
            acked = false;
            stream = null;
            streamFailures.increment();
            failuresSinceLog++;
            long now = System.nanoTime();
            if (now - lastLogNanos >= LOG_EVERY_NANOS) {
                lastLogNanos = now;
                log.warn("demand stream to scaler {} ended ({}); {} failure(s) since last notice, "
                        + "retrying with backoff", address,
                        error == null ? "closed by scaler" : error.toString(), failuresSinceLog);
            }
            long delay = backoffNanos(attempt++);
            reconnect = reporterThread.schedule(this::open, delay, TimeUnit.NANOSECONDS);
        }

        /** Runs {@code task} on the reporter thread if this stream generation is current. */
        private void post(int gen, Runnable task) {
            try {
                reporterThread.execute(() -> {
                    if (gen == generation && !linkClosed) {
                        task.run();
                    }
                });
            } catch (RejectedExecutionException e) {
                // reporter closed
            }
        }

        ManagedChannel close() {
            linkClosed = true;
            if (reconnect != null) {
                reconnect.cancel(false);
            }
            if (stream != null) {
                try {
                    stream.onCompleted();
                } catch (RuntimeException ignored) {
                    // already failed
                }
                stream = null;
            }
            if (acked) {
                connected.decrementAndGet();
                acked = false;
            }
            channel.shutdown();
            return channel;
        }
    }
}
