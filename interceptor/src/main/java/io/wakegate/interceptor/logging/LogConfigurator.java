package io.wakegate.interceptor.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Locale;

/**
 * Wakegate's logging, set up in code: one line per event on standard error — time, level,
 * thread, logger, message — {@code io.wakegate} at {@code WAKEGATE_LOG_LEVEL} (default
 * {@code info}), Netty at {@code info}, everything else at {@code warn}.
 *
 * <p>In code rather than in a {@code logback.xml} because reading XML configuration loads
 * Logback's Joran and the JDK's XML parser, some 600 classes an idle interceptor would carry in
 * its metaspace for nothing (see docs/interceptor.md#jvm-settings). A configuration of one's own
 * still wins: {@code -Dlogback.configurationFile=FILE}, or a {@code logback-test.xml} on the
 * class path, hands over to Logback's usual configurators.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{20} - %msg%n";
    static final String LEVEL_ENV = "WAKEGATE_LOG_LEVEL";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("io.netty").setLevel(Level.INFO);
        context.getLogger("io.wakegate").setLevel(level(System.getenv(LEVEL_ENV)));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** {@code WAKEGATE_LOG_LEVEL}: trace, debug, info, warn, error (any case); info when unset or unknown. */
    static Level level(String value) {
        return value == null || value.isBlank() ? Level.INFO : Level.toLevel(value.strip().toUpperCase(Locale.ROOT),
                Level.INFO);
    }
}
