package io.wakegate.interceptor.backend.process;

import io.micrometer.core.instrument.MeterRegistry;
import io.wakegate.interceptor.config.ProcessBackendConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import io.micrometer.core.instrument.Gauge;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Creates process endpoint sources and owns what they share: exclusive groups by name and the
 * reaper. One per interceptor. Thread-safe.
 */
public final class ProcessBackends implements AutoCloseable {

    private final ScheduledExecutorService executor;
    private final MeterRegistry registry;
    private final ProcessReaper reaper = new ProcessReaper(10);
    private final Map<String, ExclusiveGroup> groups = new HashMap<>();
    /** host:port → the route whose process sources use it, and how many of them are open. */
    private final Map<String, String> ports = new HashMap<>();
    private final Map<String, Integer> liveSources = new HashMap<>();
    private final Map<String, AtomicReference<ProcessEndpointSource>> current = new HashMap<>();

    public ProcessBackends(ScheduledExecutorService executor, MeterRegistry registry) {
        this.executor = executor;
        this.registry = registry;
    }

    /**
     * A source for {@code route}'s process backend.
     *
     * @throws IllegalArgumentException naming the field when the port is already taken by another
     *                                  program (the process could not listen on it)
     */
    public synchronized ProcessEndpointSource create(String route, ProcessBackendConfig config) {
        String hostPort = config.host() + ":" + config.port();
        String owner = ports.get(hostPort);
        if (owner != null && !owner.equals(route)) {
            throw new IllegalArgumentException("route " + route + ": backend.process.port: " + config.port()
                    + " is already the port of route " + owner + " (expected: a port no other process route uses)");
        }
        if (owner == null) {
            // The same route's previous source may hold it: it is closed before this one starts.
            checkPortFree(route, config);
        }
        ExclusiveGroup group = config.group() == null ? null
                : groups.computeIfAbsent(config.group(), name -> new ExclusiveGroup(name, executor));
        ProcessEndpointSource source = new ProcessEndpointSource(route, config, executor, group, reaper, registry,
                () -> released(hostPort));
        ports.put(hostPort, route);
        liveSources.merge(hostPort, 1, Integer::sum);
        current.computeIfAbsent(route, this::stateGauges).set(source);
        return source;
    }

    /**
     * The route's {@code wakegate_interceptor_process_state{state}} gauges, registered once per
     * route and reading whichever source is the route's current one (a changed backend replaces it).
     */
    private AtomicReference<ProcessEndpointSource> stateGauges(String route) {
        AtomicReference<ProcessEndpointSource> holder = new AtomicReference<>();
        for (ProcessEndpointSource.State state : ProcessEndpointSource.State.values()) {
            String name = ProcessEndpointSource.name(state);
            Gauge.builder("wakegate.interceptor.process.state", holder,
                            h -> h.get() != null && h.get().state().equals(name) ? 1 : 0)
                    .description("1 for the process backend's current state").tags("route", route, "state", name)
                    .register(registry);
        }
        return holder;
    }

    /** A source closed: the port is another route's to take once no source of this route holds it. */
    private synchronized void released(String hostPort) {
        if (liveSources.merge(hostPort, -1, Integer::sum) <= 0) {
            liveSources.remove(hostPort);
            ports.remove(hostPort);
        }
    }

    private static void checkPortFree(String route, ProcessBackendConfig config) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(config.host(), config.port()));
        } catch (IOException e) {
            throw new IllegalArgumentException("route " + route + ": backend.process.port: " + config.port()
                    + " is already in use on " + config.host()
                    + " (expected: a free port for the process to listen on)");
        }
    }

    @Override
    public void close() {
        reaper.close();
    }
}
