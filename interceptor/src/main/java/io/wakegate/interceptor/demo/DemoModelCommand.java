package io.wakegate.interceptor.demo;

import io.wakegate.interceptor.config.Durations;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code wakegate demo-model}: runs the demo model host in the foreground until SIGTERM or SIGINT. */
@Command(name = "demo-model", mixinStandardHelpOptions = true,
        description = "Runs a small OpenAI-compatible model host that loads for a while, then streams "
                + "deterministic tokens. For demos and tests.")
public final class DemoModelCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", required = true, description = "Port to listen on.")
    int port;

    @Option(names = "--model", defaultValue = "demo", description = "Model id (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--load-time", defaultValue = "3s",
            description = "How long /health answers 503 after start (default: ${DEFAULT-VALUE}).")
    String loadTime;

    @Option(names = "--token-delay", defaultValue = "50ms",
            description = "Time between streamed tokens (default: ${DEFAULT-VALUE}).")
    String tokenDelay;

    @Override
    public Integer call() throws Exception {
        DemoModelServer.Settings settings;
        try {
            settings = new DemoModelServer.Settings(host, port, model, Durations.parse(loadTime),
                    Durations.parse(tokenDelay));
        } catch (IllegalArgumentException e) {
            System.err.println("demo-model: " + e.getMessage());
            return 2;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try (DemoModelServer server = DemoModelServer.start(settings)) {
            stop.await();
        }
        return 0;
    }
}
