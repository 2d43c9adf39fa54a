package io.wakegate.interceptor.hold;

import java.util.Arrays;

/**
 * The recent cold starts of one route — how long from the first request held with nothing ready
 * until an endpoint was ready — and what they predict: clients are told to come back when a
 * start typically ends (the median of the last {@link #KEPT}), not after a constant.
 *
 * <p>Thread-safe; every method is short and takes the object's monitor.
 */
public final class ColdStarts {

    /** Cold starts kept: enough for a stable median, few enough to follow a model that got slower. */
    public static final int KEPT = 9;

    private final long[] recentNanos = new long[KEPT];
    private int count;
    private int next;
    private long lastNanos;

    /** A cold start ended after {@code nanos}. */
    public synchronized void record(long nanos) {
        recentNanos[next] = nanos;
        next = (next + 1) % KEPT;
        count = Math.min(count + 1, KEPT);
        lastNanos = nanos;
    }

    /** The median of the recent cold starts, in nanoseconds; 0 when none was seen. */
    public synchronized long medianNanos() {
        if (count == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(recentNanos, count);
        Arrays.sort(sorted);
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    }

    /** What the admin API shows. */
    public synchronized Snapshot snapshot() {
        long[] recent = new long[count];
        for (int i = 0; i < count; i++) {
            recent[i] = recentNanos[Math.floorMod(next - count + i, KEPT)] / 1_000_000; // oldest first
        }
        return new Snapshot(count, count == 0 ? 0 : medianNanos() / 1_000_000, lastNanos / 1_000_000, recent);
    }

    /**
     * Seconds until a cold start that has run {@code elapsedNanos} typically ends: the median minus
     * what has passed, at least 1; {@code fallback} when no start was seen.
     */
    public long secondsLeft(long elapsedNanos, long fallback) {
        long median = medianNanos();
        if (median == 0) {
            return fallback;
        }
        return Math.max(1, -Math.floorDiv(-(median - elapsedNanos), 1_000_000_000L));
    }

    /**
     * @param observed     cold starts kept (at most {@link #KEPT})
     * @param medianMillis their median; 0 when none
     * @param lastMillis   the latest; 0 when none
     * @param recentMillis the kept ones, oldest first
     */
    public record Snapshot(int observed, long medianMillis, long lastMillis, long[] recentMillis) {
    }
}
