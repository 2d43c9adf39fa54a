package io.wakegate.benchmarks.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Turns the in-process servers' logging down to warnings, so log lines do not get measured. */
public final class Quiet {

    private Quiet() {
    }

    public static void logs() {
        for (String name : new String[] {Logger.ROOT_LOGGER_NAME, "io.wakegate", "io.netty", "io.grpc"}) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.WARN);
        }
    }
}
