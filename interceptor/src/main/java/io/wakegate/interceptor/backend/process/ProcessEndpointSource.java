package io.wakegate.interceptor.backend.process;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wakegate.interceptor.backend.Endpoint;
import io.wakegate.interceptor.backend.EndpointListener;
import io.wakegate.interceptor.backend.EndpointSource;
import io.wakegate.interceptor.backend.HealthProbe;
import io.wakegate.interceptor.backend.SourceStatus;
import io.wakegate.interceptor.backend.StartFailure;
import io.wakegate.interceptor.config.Durations;
import io.wakegate.interceptor.config.ProcessBackendConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's backend as a local process: started when a request waits, ready when its readiness
 * probe passes (the model is loaded), stopped after {@code idleTimeout} without requests.
 *
 * <pre>
 *   STOPPED ──wake──► (QUEUED while another group member runs) ──► STARTING ──probe ok──► READY
 *      ▲                                                             │ exit / startTimeout  │ idle, yield, sleep
 *      │                                                             ▼                      ▼
 *      └──────────────────────────── exit ◄──────────────────── FAILED(start)           STOPPING
 * </pre>
 *
 * <ul>
 *   <li>A process that exits before it is ready fails every held request at once (502
 *       {@code backend-failed-to-start}), one that misses {@code startTimeout} is stopped and fails
 *       them with 504 {@code backend-start-timeout}; either way its log's last lines go to Wakegate's
 *       log. After {@code maxRestarts} such failures in a row the route answers 503
 *       {@code backend-start-backoff} with {@code Retry-After} at once for {@link #FAILED_BACKOFF}.</li>
 *   <li>A process that dies while serving is restarted by the next request.</li>
 *   <li>Stopping withdraws the endpoint first, then stops only if nothing is in flight — so an idle
 *       stop never interrupts a request, and a request that arrives while stopping waits for the
 *       restart.</li>
 *   <li>An operator's {@link #sleep()} (the admin API) stops it like an idle stop, without waiting
 *       for the idle timeout and without being called off by requests in flight: they finish
 *       first.</li>
 * </ul>
 *
 * <p>Threading: state changes under this object's monitor; process starts, probes and signals
 * run on the shared scheduler (they block); {@link #wake()} only flips state and schedules.
 */
public final class ProcessEndpointSource implements EndpointSource, ExclusiveGroup.Member {

    /** How long a route whose process keeps failing to start answers 502 at once before trying again. */
    public static final Duration FAILED_BACKOFF = Duration.ofSeconds(30);
    private static final long TICK_MILLIS = 250;
    private static final int LOG_TAIL_LINES = 20;

    private static final Logger log = LoggerFactory.getLogger(ProcessEndpointSource.class);

    enum State { STOPPED, QUEUED, STARTING, READY, STOPPING, FAILED }

    private final String route;
    private final ProcessBackendConfig config;
    private final ScheduledExecutorService executor;
    private final ExclusiveGroup group;
    private final ProcessReaper reaper;
    private final HealthProbe probe;
    private final Endpoint endpoint;
    private final Counter starts;
    private final Counter failures;
    private final Runnable onClosed;

    private volatile EndpointListener listener;
    private State state = State.STOPPED;
    private Process process;
    private long startedNanos;
    private long idleSinceNanos;
    private int consecutiveFailures;
    private long failedUntilNanos;
    private boolean restartWanted;
    private boolean yieldRequested;
    private ScheduledFuture<?> tick;
    private boolean closed;
    private String lastError;
    private Instant lastErrorAt;
    /** Operators' sleep calls waiting for the process to exit. */
    private final List<CompletableFuture<Void>> sleepers = new ArrayList<>();

    /**
     * @param group null when the route is in no exclusive group
     * @throws IllegalArgumentException naming the field when the host cannot be resolved
     */
    ProcessEndpointSource(String route, ProcessBackendConfig config, ScheduledExecutorService executor,
                          ExclusiveGroup group, ProcessReaper reaper, MeterRegistry registry, Runnable onClosed) {
        this.onClosed = onClosed;
        this.route = route;
        this.config = config;
        this.executor = executor;
        this.group = group;
        this.reaper = reaper;
        this.probe = new HealthProbe(config.readiness().path(), config.readiness().timeout());
        InetAddress address;
        try {
            address = InetAddress.getByName(config.host());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("route " + route + ": backend.process.host: " + config.host()
                    + " cannot be resolved (expected: a local address such as 127.0.0.1)");
        }
        this.endpoint = new Endpoint(config.host() + ":" + config.port(), new InetSocketAddress(address, config.port()));
        this.starts = Counter.builder("wakegate.interceptor.process.starts")
                .description("Process backend starts").tag("route", route).register(registry);
        this.failures = Counter.builder("wakegate.interceptor.process.failures")
                .description("Process backend exits before readiness, start timeouts and crashes")
                .tag("route", route).register(registry);
    }

    @Override
    public void start(EndpointListener listener) {
        this.listener = listener;
        log.info("route {}: process backend on {} (stopped until the first request); log file {}", route,
                endpoint, config.logFile());
    }

    @Override
    public synchronized String state() {
        return name(state);
    }

    @Override
    public synchronized SourceStatus status() {
        SourceStatus.Phase phase = switch (state) {
            case READY -> SourceStatus.Phase.READY;
            case QUEUED, STARTING -> SourceStatus.Phase.WAKING;
            case FAILED -> SourceStatus.Phase.FAILED;
            case STOPPED, STOPPING -> SourceStatus.Phase.SLEEPING;
        };
        return new SourceStatus("process", phase, lastError, lastErrorAt, process == null ? -1 : process.pid());
    }

    /**
     * Stops the process as an idle stop would, but without waiting for the idle timeout: the
     * endpoint is withdrawn at once and the process stops once nothing is in flight.
     */
    @Override
    public CompletionStage<Void> sleep() {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        synchronized (this) {
            switch (state) {
                case STOPPED, FAILED -> {
                    return CompletableFuture.completedFuture(null);
                }
                case QUEUED -> {
                    state = State.STOPPED; // granted() then hands the group back
                    return CompletableFuture.completedFuture(null);
                }
                case STARTING -> {
                    if (process == null) {
                        return CompletableFuture.failedFuture(new IllegalStateException(
                                "the process is being started; try again once it has a pid"));
                    }
                    state = State.STOPPING;
                    Process p = process;
                    executor.execute(() -> terminate(p));
                }
                case READY -> beginStop(true);
                case STOPPING -> {
                    // already on its way down
                }
            }
            restartWanted = false;
            sleepers.add(stopped);
        }
        return stopped;
    }

    /** Completes the sleep calls waiting for the process to exit; outside the lock. */
    private void wakeSleepers() {
        List<CompletableFuture<Void>> done;
        synchronized (this) {
            done = new ArrayList<>(sleepers);
            sleepers.clear();
        }
        done.forEach(f -> f.complete(null));
    }

    static String name(State s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    // ---- waking and starting ----

    @Override
    public void wake() {
        Duration failFast = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            switch (state) {
                case STOPPED -> beginStart();
                case FAILED -> {
                    if (System.nanoTime() - failedUntilNanos >= 0) {
                        consecutiveFailures = 0;
                        beginStart();
                    } else {
                        failFast = Duration.ofNanos(failedUntilNanos - System.nanoTime());
                    }
                }
                case STOPPING -> restartWanted = true;
                default -> {
                    // QUEUED, STARTING, READY: already on its way
                }
            }
        }
        if (failFast != null) {
            StartFailure backingOff = new StartFailure(StartFailure.Kind.BACKING_OFF, "the process failed to start "
                    + config.maxRestarts() + " times in a row; retrying after " + Durations.format(FAILED_BACKOFF),
                    failFast);
            executor.execute(() -> report(backingOff));
        }
    }

    /** Caller holds the lock. */
    private void beginStart() {
        if (group != null && !group.acquire(this)) {
            state = State.QUEUED;
            log.info("route {}: waiting for exclusive group {} to be free", route, group.name());
            return;
        }
        state = State.STARTING;
        yieldRequested = group != null && group.contended();
        executor.execute(this::spawn);
    }

    @Override
    public void granted() {
        synchronized (this) {
            if (state == State.QUEUED && !closed) {
                state = State.STARTING;
                // Not false: the group may already have asked us to yield (a member that wanted to
                // restart while we were queued) and that call can run before this one.
                yieldRequested = group.contended();
                executor.execute(this::spawn);
                return;
            }
        }
        group.release(this); // no longer wanted
    }

    private void spawn() {
        List<String> command = new ArrayList<>(config.command().size() + 1);
        String setsid = ProcessReaper.setsid();
        if (setsid != null) {
            command.add(setsid);
        }
        command.addAll(config.command());
        Process started;
        try {
            Files.createDirectories(config.logFile().toAbsolutePath().getParent());
            Files.writeString(config.logFile(), "==== wakegate: starting route " + route + " at " + Instant.now()
                            + ": " + String.join(" ", config.command()) + System.lineSeparator(),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(config.workingDirectory().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(config.logFile().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(config.env());
            started = builder.start();
        } catch (IOException | RuntimeException e) {
            startFailed(null, StartFailure.Kind.EXITED, "could not be started: " + e.getMessage());
            return;
        }
        reaper.register(started.pid());
        starts.increment();
        boolean closedWhileSpawning = false;
        synchronized (this) {
            if (state != State.STARTING || closed) {
                closedWhileSpawning = true;
            } else {
                process = started;
                startedNanos = System.nanoTime();
            }
        }
        if (closedWhileSpawning) {
            // Closed while starting: stop it here, on this thread. Handing it to the executor, as
            // before, could be refused at shutdown (the executor is shut down) and leave an orphan.
            terminate(started);
            reaper.unregister(started.pid());
            return;
        }
        log.info("route {}: started pid {}: {} (log: {})", route, started.pid(), String.join(" ", config.command()),
                config.logFile());
        started.onExit().thenRunAsync(() -> exited(started), executor);
        scheduleProbe(started, 0);
    }

    private void scheduleProbe(Process p, long delayNanos) {
        executor.schedule(() -> probe(p), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void probe(Process p) {
        boolean timedOut;
        synchronized (this) {
            if (state != State.STARTING || process != p) {
                return;
            }
            timedOut = System.nanoTime() - startedNanos > config.startTimeout().toNanos();
            if (timedOut) {
                state = State.STOPPING; // the exit that follows is reported as a failed start
                restartWanted = false;
            }
        }
        if (timedOut) {
            // outside the lock: it reads the log file, and wake() on an event loop needs the lock
            startFailed(p, StartFailure.Kind.START_TIMEOUT,
                    "did not become ready within startTimeout " + Durations.format(config.startTimeout()));
            terminate(p);
            return;
        }
        boolean ready = probe.check(endpoint.address(), endpoint.name());
        synchronized (this) {
            if (state != State.STARTING || process != p) {
                return;
            }
            if (!ready) {
                scheduleProbe(p, config.readiness().interval().toNanos());
                return;
            }
            state = State.READY;
            consecutiveFailures = 0;
            idleSinceNanos = System.nanoTime();
            log.info("route {}: ready after {} ms (pid {})", route,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos), p.pid());
            listener.endpointsChanged(List.of(endpoint));
            tick = executor.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Reports a failed start to the held requests and the log. {@code p} may be null (never started). */
    private void startFailed(Process p, StartFailure.Kind kind, String why) {
        failures.increment();
        synchronized (this) {
            lastError = why;
            lastErrorAt = Instant.now();
        }
        List<String> tail = LogTail.read(config.logFile(), LOG_TAIL_LINES);
        log.error("route {}: process {}; last lines of {}:\n{}", route, why, config.logFile(),
                tail.isEmpty() ? "  (empty)" : "  | " + String.join("\n  | ", tail));
        synchronized (this) {
            consecutiveFailures++;
            if (p == null) {
                state = nextAfterFailure();
                if (group != null) {
                    group.release(this);
                }
            }
        }
        report(new StartFailure(kind, why, Duration.ZERO));
    }

    /**
     * Tells the gate a start failed, unless this source is closed: a reload replaced it, and the
     * requests the gate holds now wait for its replacement, not for it.
     */
    private void report(StartFailure failure) {
        synchronized (this) {
            if (closed) {
                log.debug("route {}: closed source; not reporting {}", route, failure.detail());
                return;
            }
        }
        listener.startFailed(failure);
    }

    /** Caller holds the lock. */
    private State nextAfterFailure() {
        if (consecutiveFailures >= config.maxRestarts()) {
            failedUntilNanos = System.nanoTime() + FAILED_BACKOFF.toNanos();
            log.error("route {}: {} failed starts in a row; answering 503 backend-start-backoff at once for {}",
                    route, consecutiveFailures, Durations.format(FAILED_BACKOFF));
            return State.FAILED;
        }
        return State.STOPPED;
    }

    // ---- running ----

    /** While ready: stop when idle for idleTimeout, or when another group member waits. */
    private void tick() {
        synchronized (this) {
            if (state != State.READY) {
                return;
            }
            boolean idle = !listener.hasWaiters() && listener.inFlight() == 0;
            long now = System.nanoTime();
            if (!idle) {
                idleSinceNanos = now;
            }
            if (yieldRequested) {
                log.info("route {}: another route of group {} waits; stopping once nothing is in flight", route,
                        group.name());
                beginStop(false);
            } else if (idle && now - idleSinceNanos >= config.idleTimeout().toNanos()) {
                log.info("route {}: idle for {}; stopping", route, Durations.format(config.idleTimeout()));
                beginStop(false);
            }
        }
    }

    @Override
    public void yieldRequested() {
        synchronized (this) {
            yieldRequested = true;
        }
    }

    /**
     * Withdraws the endpoint, so nothing new is admitted, then stops once nothing is in flight.
     * An idle stop that finds a request admitted in the meantime is called off; a yield or an
     * operator's sleep ({@code forced}) is not. Caller holds the lock.
     */
    private void beginStop(boolean forced) {
        listener.endpointsChanged(List.of());
        if (!yieldRequested && !forced && (listener.inFlight() > 0 || listener.hasWaiters())) {
            listener.endpointsChanged(List.of(endpoint)); // a request slipped in: not idle after all
            idleSinceNanos = System.nanoTime();
            return;
        }
        state = State.STOPPING;
        cancelTick();
        Process p = process;
        tick = executor.scheduleWithFixedDelay(() -> stopWhenDrained(p), 0, 100, TimeUnit.MILLISECONDS);
    }

    private void stopWhenDrained(Process p) {
        synchronized (this) {
            if (state != State.STOPPING || process != p || listener.inFlight() > 0) {
                return;
            }
            cancelTick();
        }
        terminate(p);
    }

    /** SIGTERM to the process group, SIGKILL after the grace period. Blocking; on the scheduler. */
    private void terminate(Process p) {
        if (!p.isAlive()) {
            return;
        }
        signal(p, "TERM");
        try {
            if (!p.waitFor(config.stopGracePeriod().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("route {}: pid {} still running {} after SIGTERM; sending SIGKILL", route, p.pid(),
                        Durations.format(config.stopGracePeriod()));
                signal(p, "KILL");
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            signal(p, "KILL");
        }
    }

    private static void signal(Process p, String signal) {
        if (ProcessReaper.groupsSupported() && ProcessReaper.signalGroup(p.pid(), signal)) {
            return;
        }
        p.descendants().forEach(signal.equals("KILL") ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
        if (signal.equals("KILL")) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
    }

    /** The process ended, whatever the reason; on the scheduler. */
    private void exited(Process p) {
        if (ProcessReaper.groupsSupported()) {
            ProcessReaper.signalGroup(p.pid(), "KILL"); // leftovers of its group, if any
        }
        reaper.unregister(p.pid());
        boolean startAgain = false;
        boolean crashedWhileServing = false;
        String crashed = null;
        synchronized (this) {
            if (process != p) {
                return;
            }
            process = null;
            cancelTick();
            switch (state) {
                case STARTING -> crashed = "exited with code " + p.exitValue() + " before it was ready";
                case READY -> {
                    failures.increment();
                    lastError = "exited with code " + p.exitValue() + " while serving";
                    lastErrorAt = Instant.now();
                    state = State.STOPPED;
                    listener.endpointsChanged(List.of());
                    crashedWhileServing = true;
                    startAgain = listener.hasWaiters();
                }
                case STOPPING -> {
                    state = consecutiveFailures > 0 ? nextAfterFailure() : State.STOPPED;
                    log.info("route {}: pid {} stopped (exit code {})", route, p.pid(), p.exitValue());
                    startAgain = state == State.STOPPED && (restartWanted || listener.hasWaiters());
                    restartWanted = false;
                }
                default -> state = State.STOPPED;
            }
            if (crashed == null && group != null) {
                group.release(this);
            }
            if (startAgain && !closed) {
                beginStart();
            }
        }
        wakeSleepers();
        if (crashedWhileServing) {
            List<String> tail = LogTail.read(config.logFile(), LOG_TAIL_LINES); // outside the lock: file I/O
            log.warn("route {}: pid {} exited with code {} while serving; it restarts on the next request;"
                    + " last lines of {}:\n  | {}", route, p.pid(), p.exitValue(), config.logFile(),
                    String.join("\n  | ", tail));
        }
        if (crashed != null) {
            startFailed(null, StartFailure.Kind.EXITED, crashed);
        }
    }

    private void cancelTick() {
        if (tick != null) {
            tick.cancel(false);
            tick = null;
        }
    }

    @Override
    public void connectFailed(Endpoint failed) {
        // The process probably died (its exit is reported through onExit); if it still runs, the gate
        // has it back once it answers its readiness probe again.
        executor.execute(this::recheck);
    }

    /** Probes a process the gate took out after a refused connection; reports it ready once it answers. Blocking. */
    private void recheck() {
        Process p;
        synchronized (this) {
            if (closed || state != State.READY) {
                return;
            }
            p = process;
        }
        boolean ready = probe.check(endpoint.address(), endpoint.name());
        synchronized (this) {
            if (closed || state != State.READY || process != p) {
                return; // exited or stopping meanwhile: that path reports
            }
            if (ready) {
                listener.endpointsChanged(List.of(endpoint));
            } else {
                executor.schedule(this::recheck, config.readiness().interval().toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Stops the process (blocking, up to the grace period) and leaves the group. */
    @Override
    public void close() {
        Process p;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            cancelTick();
            p = process;
            state = State.STOPPING;
        }
        if (p != null) {
            log.info("route {}: stopping pid {}", route, p.pid());
            terminate(p);
            reaper.unregister(p.pid());
        }
        synchronized (this) {
            state = State.STOPPED;
        }
        wakeSleepers();
        if (group != null) {
            group.release(this);
        }
        onClosed.run();
    }

    @Override
    public synchronized java.util.Map<String, Object> describe() {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("kind", "process");
        out.put("state", name(state));
        out.put("pid", process == null ? null : process.pid());
        out.put("endpoint", endpoint.name());
        out.put("group", group == null ? null : group.name());
        out.put("logFile", config.logFile().toString());
        return out;
    }

    /** The pid of the running process, or -1; for tests and the admin view. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }
}
