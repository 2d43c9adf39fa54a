package io.wakegate.interceptor.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration syntax of the configuration file: a non-negative integer with a unit,
 * {@code ms}, {@code s}, {@code m} or {@code h} ({@code 500ms}, {@code 30s}, {@code 10m},
 * {@code 2h}). A unit is required: a bare number is rejected rather than guessed.
 */
public final class Durations {

    /** What a duration looks like, for error messages. */
    public static final String EXPECTED = "a number with unit ms, s, m or h, e.g. 30s";

    private static final Pattern SYNTAX = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Durations() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException {@code 'text' is not a duration (expected: ...)}
     */
    public static Duration parse(String text) {
        String trimmed = text.strip();
        Matcher m = SYNTAX.matcher(trimmed);
        if (!m.matches()) {
            if (text.strip().startsWith("-")) {
                throw new IllegalArgumentException(Checks.quote(text) + " is negative (expected: " + EXPECTED + ")");
            }
            if (trimmed.matches("\\d+")) {
                throw new IllegalArgumentException(text + " has no unit (expected: " + EXPECTED + ")");
            }
            throw new IllegalArgumentException(Checks.quote(text) + " is not a duration (expected: " + EXPECTED + ")");
        }
        try {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(Checks.quote(text) + " is too long a duration (expected: " + EXPECTED + ")");
        }
    }

    /**
     * Formats {@code duration} in the largest unit that represents it exactly
     * ({@code 600s} → {@code 10m}, {@code 1500ms} stays {@code 1500ms}), the inverse of
     * {@link #parse}. Zero is {@code 0s}; a sub-millisecond remainder is shown with
     * {@link Duration#toString()}, since the syntax cannot express it.
     */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.getNano() % 1_000_000 != 0) {
            return duration.toString();
        }
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
