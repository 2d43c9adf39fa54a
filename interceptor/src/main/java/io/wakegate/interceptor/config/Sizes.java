package io.wakegate.interceptor.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The size syntax of the configuration file: a non-negative integer, optionally followed by
 * a unit. No unit or {@code B} means bytes; {@code KiB}, {@code MiB}, {@code GiB},
 * {@code TiB} are powers of 1024; {@code KB}, {@code MB}, {@code GB}, {@code TB} are
 * powers of 1000. Units are case-sensitive ({@code 8KiB}, {@code 64MiB}, {@code 10MB}).
 */
public final class Sizes {

    /** What a size looks like, for error messages. */
    public static final String EXPECTED = "bytes, or a number with unit KiB, MiB, GiB, KB, MB or GB, e.g. 16KiB";

    private static final Pattern SYNTAX = Pattern.compile("(\\d+)\\s?(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?");
    private static final String[] BINARY_UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private Sizes() {
    }

    /**
     * Parses {@code text} into bytes.
     *
     * @throws IllegalArgumentException {@code 'text' is not a size (expected: ...)}
     */
    public static long parse(String text) {
        Matcher m = SYNTAX.matcher(text.strip());
        if (!m.matches()) {
            if (text.strip().startsWith("-")) {
                throw new IllegalArgumentException(Checks.quote(text) + " is negative (expected: " + EXPECTED + ")");
            }
            throw new IllegalArgumentException(Checks.quote(text) + " is not a size (expected: " + EXPECTED + ")");
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        long multiplier = switch (unit) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "TiB" -> 1L << 40;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "TB" -> 1_000_000_000_000L;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(Checks.quote(text) + " is too large a size (expected: " + EXPECTED + ")");
        }
    }

    /**
     * Formats {@code bytes} in the largest binary unit that represents it exactly
     * ({@code 16384} → {@code 16KiB}, {@code 1000} stays {@code 1000}).
     */
    public static String format(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        long value = bytes;
        int unit = -1;
        while (unit < BINARY_UNITS.length - 1 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return unit < 0 ? Long.toString(bytes) : value + BINARY_UNITS[unit];
    }
}
