package io.wakegate.interceptor.backend.process;

import io.micrometer.core.instrument.MeterRegistry;
import io.wakegate.interceptor.config.ProcessBackendConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
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
        checkPortFree(route, config);
        ExclusiveGroup group = config.group() == null ? null
                : groups.computeIfAbsent(config.group(), name -> new ExclusiveGroup(name, executor));
        return new ProcessEndpointSource(route, config, executor, group, reaper, registry);
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
