package io.wakegate.interceptor.backend;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fixed backend URLs, each health-checked on an interval. While requests wait and nothing is
 * ready, it probes every {@link #EAGER_INTERVAL} so a held request is released within a fraction
 * of a second of the backend coming up.
 *
 * <p>When requests wait and no URL passes its check, one warning names the route and the last
 * probe error (once per outage: again only after an endpoint was ready); {@code /queue} shows
 * that error as {@code lastProbeError} while nothing is ready.
 *
 * <p>Rounds, name resolution and listener calls happen on the shared probe executor; one probe
 * round runs at a time per source. Within a round the URLs are probed in parallel, on
 * {@code fanOut}, so one slow or silent URL does not delay the others' readiness by its timeout.
 */
public final class StaticEndpointSource implements EndpointSource {

    /** Probe interval while requests are waiting for a cold backend. */
    public static final Duration EAGER_INTERVAL = Duration.ofMillis(100);

    private static final Logger log = LoggerFactory.getLogger(StaticEndpointSource.class);

    private final String route;
    private final List<URI> urls;
    private final HealthProbe probe;
    private final Duration interval;
    private final ScheduledExecutorService executor;
    private final Executor fanOut;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Object roundLock = new Object();
    /** Guarded by roundLock. */
    private final Map<URI, Endpoint> endpoints = new HashMap<>();
    /** Guarded by roundLock. */
    private List<Endpoint> lastReady = List.of();
    private volatile EndpointListener listener;
    private volatile ScheduledFuture<?> next;
    private volatile boolean closed;
    private volatile String state = "starting";
    /** Whether the last round found nothing ready; read by {@link #wake()} without the round lock. */
    private volatile boolean noneReady = true;
    /** The gate dropped an endpoint after a refused connection: report the next round even unchanged. */
    private volatile boolean reportAgain;
    /** Why the last round found nothing ready (the first URL's failure), or null. */
    private volatile String lastProbeError;
    /** The last probe failure and when it was first seen, kept after recovery for the admin API. */
    private volatile SourceStatus lastFailure;
    /** Whether the wait during this outage was logged. Guarded by roundLock. */
    private boolean waitLogged;

    /**
     * @param executor runs the rounds
     * @param fanOut   runs one round's probes in parallel while the round waits for them: must not
     *                 be {@code executor} (a bounded pool would deadlock), e.g. a cached pool
     */
    public StaticEndpointSource(String route, List<URI> urls, HealthProbe probe, Duration interval,
                                ScheduledExecutorService executor, Executor fanOut) {
        this.route = route;
        this.urls = List.copyOf(urls);
        this.probe = probe;
        this.interval = interval;
        this.executor = executor;
        this.fanOut = fanOut;
    }

    @Override
    public void start(EndpointListener listener) {
        this.listener = listener;
        executor.execute(this::roundAndReschedule);
    }

    @Override
    public void wake() {
        if (noneReady && wakePending.compareAndSet(false, true)) {
            executor.execute(() -> {
                wakePending.set(false);
                roundAndReschedule();
            });
        }
    }

    @Override
    public void connectFailed(Endpoint endpoint) {
        reportAgain = true; // the gate dropped it: the next round reports even an unchanged list
        if (wakePending.compareAndSet(false, true)) {
            executor.execute(() -> {
                wakePending.set(false);
                roundAndReschedule();
            });
        }
    }

    @Override
    public String state() {
        return state;
    }

    @Override
    public SourceStatus status() {
        SourceStatus failure = lastFailure;
        return new SourceStatus("static", noneReady ? SourceStatus.Phase.SLEEPING : SourceStatus.Phase.READY,
                failure == null ? null : failure.lastError(), failure == null ? null : failure.lastErrorAt(), -1);
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("kind", "static");
        out.put("state", state);
        out.put("lastProbeError", lastProbeError);
        return out;
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> f = next;
        if (f != null) {
            f.cancel(false);
        }
        synchronized (roundLock) {
            // a round already running has finished: nothing reaches the gate from this source now
        }
    }

    private void roundAndReschedule() {
        if (closed) {
            return;
        }
        boolean anyReady;
        try {
            anyReady = probeRound();
        } catch (RuntimeException e) {
            log.warn("route {}: health check round failed", route, e);
            anyReady = false;
        }
        if (closed) {
            return;
        }
        EndpointListener l = listener;
        Duration delay = !anyReady && l != null && l.hasWaiters() ? EAGER_INTERVAL : interval;
        ScheduledFuture<?> previous = next;
        if (previous != null) {
            previous.cancel(false);
        }
        next = executor.schedule(this::roundAndReschedule, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private boolean probeRound() {
        synchronized (roundLock) {
            List<Endpoint> ready = new ArrayList<>(urls.size());
            String firstError = null;
            List<Endpoint> resolved = new ArrayList<>(urls.size());
            List<CompletableFuture<String>> checks = new ArrayList<>(urls.size());
            for (URI url : urls) {
                Endpoint endpoint = resolve(url);
                resolved.add(endpoint);
                checks.add(endpoint == null ? CompletableFuture.completedFuture("cannot resolve " + url.getHost())
                        : urls.size() == 1 ? CompletableFuture.completedFuture(probe.failure(endpoint.address(),
                                url.getAuthority()))
                        : CompletableFuture.supplyAsync(() -> probe.failure(endpoint.address(), url.getAuthority()),
                                fanOut));
            }
            for (int i = 0; i < urls.size(); i++) {
                URI url = urls.get(i);
                Endpoint endpoint = resolved.get(i);
                String error = checks.get(i).join(); // bounded by the probe's timeout
                if (error == null) {
                    ready.add(endpoint);
                } else if (firstError == null) {
                    firstError = url + ": " + error;
                }
            }
            if (closed) {
                return !ready.isEmpty(); // replaced by a reload: never report into the gate again
            }
            lastProbeError = ready.isEmpty() ? firstError : null;
            if (firstError != null && (lastFailure == null || !firstError.equals(lastFailure.lastError()))) {
                lastFailure = new SourceStatus("static", SourceStatus.Phase.SLEEPING, firstError,
                        java.time.Instant.now(), -1);
            }
            logWaitOnce(ready.isEmpty());
            noneReady = ready.isEmpty();
            if (!ready.equals(lastReady) || reportAgain) {
                reportAgain = false;
                logChange(lastReady, ready);
                lastReady = List.copyOf(ready);
                state = ready.isEmpty() ? "not-ready" : "ready";
                EndpointListener l = listener;
                if (l != null) {
                    l.endpointsChanged(lastReady);
                }
            } else if ("starting".equals(state)) {
                state = ready.isEmpty() ? "not-ready" : "ready";
            }
            return !ready.isEmpty();
        }
    }

    /** Warns once per outage that requests wait on a failing backend. Caller holds the round lock. */
    private void logWaitOnce(boolean noneReadyNow) {
        EndpointListener l = listener;
        if (!noneReadyNow) {
            waitLogged = false;
        } else if (!waitLogged && l != null && l.hasWaiters()) {
            waitLogged = true;
            log.warn("route {}: requests wait for a backend whose health check fails: {}", route, lastProbeError);
        }
    }

    /** The endpoint for {@code url}, re-resolved each round; the same instance while the address holds. */
    private Endpoint resolve(URI url) {
        InetAddress address;
        try {
            address = InetAddress.getByName(url.getHost());
        } catch (UnknownHostException e) {
            endpoints.remove(url);
            return null;
        }
        int port = url.getPort() < 0 ? 80 : url.getPort();
        Endpoint current = endpoints.get(url);
        if (current == null || !current.address().getAddress().equals(address)) {
            current = new Endpoint(url.getAuthority(), new InetSocketAddress(address, port));
            endpoints.put(url, current);
        }
        return current;
    }

    private void logChange(List<Endpoint> before, List<Endpoint> after) {
        for (Endpoint e : after) {
            if (!before.contains(e)) {
                log.info("route {}: endpoint {} is ready", route, e);
            }
        }
        for (Endpoint e : before) {
            if (!after.contains(e)) {
                log.info("route {}: endpoint {} is no longer ready", route, e);
            }
        }
    }
}
