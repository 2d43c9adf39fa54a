package io.wakegate.scaler.keda;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A KEDA trigger's {@code scalerMetadata}, parsed and validated.
 *
 * <p>Keys (unknown keys, such as KEDA's own {@code scalerAddress}, are ignored):
 * <ul>
 *   <li>{@code route} (required): the route's name, {@code namespace/name} in Kubernetes.
 *   <li>{@code metric}: {@code concurrency} (default) or {@code requestRate}.
 *   <li>{@code targetValue}: the value one replica should carry, &gt; 0; default
 *       {@value #DEFAULT_TARGET}.
 *   <li>{@code window}: the averaging window, a duration such as {@code 30s}, {@code 2m},
 *       {@code 1m30s} or a plain number of seconds; default 60s, at least 1s, at most the
 *       scaler's {@code --max-window}.
 *   <li>{@code activationThreshold}: the route is active while the metric's value over the
 *       window is above this (or anything is held or in flight); &gt;= 0, default 0.
 * </ul>
 *
 * @param route               the route's name
 * @param metric              which metric scales the workload
 * @param targetValue         target per replica
 * @param window              averaging window
 * @param activationThreshold activation threshold in the metric's unit
 */
public record TriggerMetadata(String route, Metric metric, double targetValue, Duration window,
                              double activationThreshold) {

    public static final String ROUTE = "route";
    public static final String METRIC = "metric";
    public static final String TARGET_VALUE = "targetValue";
    public static final String WINDOW = "window";
    public static final String ACTIVATION_THRESHOLD = "activationThreshold";

    public static final double DEFAULT_TARGET = 10;
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);
    public static final Duration MIN_WINDOW = Duration.ofSeconds(1);

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");

    /** The metric a trigger scales on. */
    public enum Metric {
        /** Held + in flight, averaged over the window. */
        CONCURRENCY("concurrency"),
        /** Requests per second over the window. */
        REQUEST_RATE("requestRate");

        private final String key;

        Metric(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    public TriggerMetadata {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(window, "window");
    }

    /**
     * Parses KEDA's metadata map.
     *
     * @throws IllegalArgumentException naming the offending key:
     *                                  {@code key: value (expected: ...)}
     */
    public static TriggerMetadata parse(Map<String, String> metadata, Duration maxWindow) {
        String route = trimmed(metadata.get(ROUTE));
        if (route == null || route.isEmpty()) {
            throw new IllegalArgumentException(ROUTE + ": missing (expected: the route's name, "
                    + "e.g. namespace/name)");
        }
        Metric metric = Metric.CONCURRENCY;
        String m = trimmed(metadata.get(METRIC));
        if (m != null) {
            metric = null;
            for (Metric candidate : Metric.values()) {
                if (candidate.key.equalsIgnoreCase(m)) {
                    metric = candidate;
                }
            }
            if (metric == null) {
                throw new IllegalArgumentException(METRIC + ": " + m
                        + " (expected: concurrency or requestRate)");
            }
        }
        double target = number(metadata, TARGET_VALUE, DEFAULT_TARGET, false);
        double activation = number(metadata, ACTIVATION_THRESHOLD, 0, true);
        Duration window = DEFAULT_WINDOW;
        String w = trimmed(metadata.get(WINDOW));
        if (w != null) {
            window = parseDurationOrNull(w);
            if (window == null || window.compareTo(MIN_WINDOW) < 0 || window.compareTo(maxWindow) > 0) {
                throw new IllegalArgumentException(WINDOW + ": " + w + " (expected: a duration "
                        + "from 1s to " + maxWindow.toSeconds() + "s, e.g. 30s, 2m, 1m30s)");
            }
        }
        return new TriggerMetadata(route, metric, target, window, activation);
    }

    /**
     * The metric's name in {@code GetMetricSpec}: derived only from the route and the
     * metric, so it is stable across scaler restarts and replicas.
     */
    public String metricName() {
        StringBuilder b = new StringBuilder("wakegate-");
        for (char c : route.toLowerCase(Locale.ROOT).toCharArray()) {
            b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ? c : '-');
        }
        return b.append('-').append(metric == Metric.CONCURRENCY ? "concurrency" : "request-rate")
                .toString();
    }

    /** Parses 500ms, 30s, 2m, 1m30s, 1h or a plain number of seconds; null if malformed. */
    public static Duration parseDurationOrNull(String s) {
        if (NUMBER.matcher(s).matches()) {
            return Duration.ofNanos(Math.round(Double.parseDouble(s) * 1e9));
        }
        Matcher matcher = DURATION_PART.matcher(s);
        long nanos = 0;
        int end = 0;
        while (matcher.find() && matcher.start() == end) {
            double v = Double.parseDouble(matcher.group(1));
            long unit = switch (matcher.group(2)) {
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos += Math.round(v * unit);
            end = matcher.end();
        }
        return end == s.length() && end > 0 ? Duration.ofNanos(nanos) : null;
    }

    private static double number(Map<String, String> metadata, String key, double dflt,
                                 boolean zeroAllowed) {
        String v = trimmed(metadata.get(key));
        if (v == null) {
            return dflt;
        }
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            d = Double.NaN;
        }
        if (!Double.isFinite(d) || d < 0 || (!zeroAllowed && d == 0)) {
            throw new IllegalArgumentException(key + ": " + v + " (expected: a number "
                    + (zeroAllowed ? ">= 0" : "> 0") + ")");
        }
        return d;
    }

    private static String trimmed(String s) {
        return s == null ? null : s.trim();
    }
}
