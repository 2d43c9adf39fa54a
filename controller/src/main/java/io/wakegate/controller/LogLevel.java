package io.wakegate.controller;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Locale;
import java.util.Set;
import org.slf4j.LoggerFactory;

/** Sets the level of Wakegate's own loggers from {@code --log-level}; everything else stays at WARN. */
final class LogLevel {

  private static final Set<String> LEVELS = Set.of("error", "warn", "info", "debug", "trace");

  private LogLevel() {
  }

  /** Sets the level; false (nothing changed) when {@code level} is not one of the names. */
  static boolean set(String level) {
    String name = level.trim().toLowerCase(Locale.ROOT);
    if (!LEVELS.contains(name)) {
      return false;
    }
    if (LoggerFactory.getLogger("io.wakegate") instanceof Logger logger) {
      logger.setLevel(Level.toLevel(name));
    }
    return true;
  }
}
