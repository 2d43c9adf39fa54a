package io.wakegate.interceptor.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

/** Logging without XML: the same lines, levels and target the former logback.xml gave. */
class LogConfiguratorTest {

    @Test
    void configuresOneStderrAppenderWithTheLinePatternAndTheLevels() {
        LoggerContext context = new LoggerContext();
        LogConfigurator configurator = new LogConfigurator();
        configurator.setContext(context);
        assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDERR");
        assertThat(stderr.isStarted()).isTrue();
        assertThat(stderr.getTarget()).isEqualTo("System.err");
        assertThat(((PatternLayoutEncoder) stderr.getEncoder()).getPattern()).isEqualTo(LogConfigurator.PATTERN);
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("io.wakegate").getEffectiveLevel()).isIn(Level.INFO,
                LogConfigurator.level(System.getenv(LogConfigurator.LEVEL_ENV)));
        assertThat(context.getLogger("com.example").getEffectiveLevel()).isEqualTo(Level.WARN);
        context.stop();
    }

    @Test
    void theLevelComesFromTheEnvironmentInAnyCaseAndFallsBackToInfo() {
        assertThat(LogConfigurator.level("debug")).isEqualTo(Level.DEBUG);
        assertThat(LogConfigurator.level(" TRACE ")).isEqualTo(Level.TRACE);
        assertThat(LogConfigurator.level("Warn")).isEqualTo(Level.WARN);
        assertThat(LogConfigurator.level("loud")).isEqualTo(Level.INFO);
        assertThat(LogConfigurator.level(null)).isEqualTo(Level.INFO);
        assertThat(LogConfigurator.level("")).isEqualTo(Level.INFO);
    }
}
