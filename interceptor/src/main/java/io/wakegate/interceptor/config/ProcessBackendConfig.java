package io.wakegate.interceptor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A backend that is a local process, started on the first request and stopped when idle.
 * Relative paths were resolved against the configuration file's directory; {@code ${VAR}}
 * references in {@code command} and {@code env} were expanded when the file was loaded.
 *
 * @param command          the program and its arguments
 * @param env              variables added to Wakegate's environment for the process
 * @param workingDirectory where the process runs
 * @param host             the address it listens on (default {@code 127.0.0.1})
 * @param port             the port it listens on
 * @param readiness        the probe that says the model is loaded (default GET {@code /health})
 * @param startTimeout     time from start until the probe must pass (default 10m)
 * @param idleTimeout      time without requests after which the process is stopped (default 15m)
 * @param stopGracePeriod  time between SIGTERM and SIGKILL (default 10s)
 * @param maxRestarts      consecutive failed starts after which the route fails fast for a while
 * @param group            exclusive group: members share a GPU, one runs at a time; null = none
 * @param logFile          where stdout and stderr go (default {@code logs/<route>.log} under
 *                         Wakegate's working directory)
 */
public record ProcessBackendConfig(List<String> command, Map<String, String> env, Path workingDirectory,
                                   String host, int port, HealthCheckConfig readiness, Duration startTimeout,
                                   Duration idleTimeout, Duration stopGracePeriod, int maxRestarts, String group,
                                   Path logFile) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String DEFAULT_READINESS_PATH = "/health";
    public static final Duration DEFAULT_READINESS_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(15);
    public static final Duration DEFAULT_STOP_GRACE_PERIOD = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_RESTARTS = 3;
    /** The log directory, relative to Wakegate's working directory, when {@code logFile} is not set. */
    public static final String DEFAULT_LOG_DIRECTORY = "logs";

    public ProcessBackendConfig {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        Checks.require("command", command.isEmpty() || command.get(0).isBlank()
                ? Checks.missing(Checks.COMMAND_EXPECTED) : null);
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        Objects.requireNonNull(host, "host");
        Checks.require("port", Checks.processPort(port));
        Objects.requireNonNull(readiness, "readiness");
        Checks.require("readiness.path", readiness.path() == null
                ? Checks.missing("a path starting with '/' that answers 2xx once the model is loaded") : null);
        Checks.require("startTimeout", Checks.positive(startTimeout));
        Checks.require("idleTimeout", Checks.positive(idleTimeout));
        Checks.require("stopGracePeriod", Checks.positive(stopGracePeriod));
        Checks.require("maxRestarts", Checks.positive(maxRestarts));
        Objects.requireNonNull(logFile, "logFile");
    }
}
