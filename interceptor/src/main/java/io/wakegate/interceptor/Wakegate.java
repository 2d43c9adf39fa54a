package io.wakegate.interceptor;

import io.wakegate.interceptor.config.ConfigException;
import io.wakegate.interceptor.config.ConfigLoader;
import io.wakegate.interceptor.config.ConfigWatcher;
import io.wakegate.interceptor.config.WakegateConfig;
import io.wakegate.interceptor.demo.DemoModelCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * The {@code wakegate} command: runs the interceptor with a YAML configuration, reloads its
 * routes when the file changes, and on SIGTERM or SIGINT shuts down gracefully and exits 0.
 */
@Command(name = "wakegate", mixinStandardHelpOptions = true, version = "wakegate 0.1.0",
        subcommands = DemoModelCommand.class,
        description = "Scale-from-zero HTTP interceptor for model hosts.%n"
                + "Holds requests while a backend is cold and forwards them the moment it is ready.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped cleanly (including on SIGTERM)", "2:invalid command line or configuration",
            "1:failed at run time"})
public final class Wakegate implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(Wakegate.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "YAML configuration file (see docs/configuration.md).")
    Path config;

    @Option(names = "--reload-interval", paramLabel = "DURATION", defaultValue = "2s",
            description = "How often the configuration file is checked for changes (default: ${DEFAULT-VALUE}).")
    String reloadInterval;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Wakegate()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (config == null) {
            System.err.println("Missing required option: '--config=FILE' (see wakegate --help)");
            return 2;
        }
        WakegateConfig initial;
        Duration pollInterval;
        try {
            initial = ConfigLoader.load(config);
            pollInterval = io.wakegate.interceptor.config.Durations.parse(reloadInterval);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            System.err.println("--reload-interval: " + e.getMessage());
            return 2;
        }
        InterceptorServer server;
        try {
            server = InterceptorServer.start(initial);
        } catch (IllegalArgumentException e) {
            System.err.println(config + ": " + e.getMessage());
            return 2;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runnable onSignal = stop::countDown;
        Signal.handle(new Signal("TERM"), s -> onSignal.run());
        Signal.handle(new Signal("INT"), s -> onSignal.run());
        try (ConfigWatcher watcher = watch(config, pollInterval, server)) {
            stop.await();
        }
        server.shutdown();
        return 0;
    }

    /**
     * Starts watching {@code file} and applies each valid new version to {@code server}. The
     * watcher logs a file it cannot apply; only a table the server refuses is logged here.
     */
    static ConfigWatcher watch(Path file, Duration pollInterval, InterceptorServer server) {
        ConfigWatcher watcher = new ConfigWatcher(file, pollInterval, next -> {
            try {
                server.reload(next);
            } catch (RuntimeException e) {
                log.error("configuration {} rejected, keeping the current routes: {}", file, e.getMessage());
            }
        });
        watcher.start();
        return watcher;
    }
}
