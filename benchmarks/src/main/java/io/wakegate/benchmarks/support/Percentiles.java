package io.wakegate.benchmarks.support;

import java.util.Arrays;

/** Nearest-rank percentiles of a set of samples. */
public final class Percentiles {

    private final long[] sorted;

    public Percentiles(long[] samples, int count) {
        sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
    }

    public int count() {
        return sorted.length;
    }

    /** The {@code p}-th percentile (0 < p <= 100), nearest rank. */
    public long at(double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public long max() {
        return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
    }

    public double mean() {
        return Arrays.stream(sorted).average().orElse(Double.NaN);
    }
}
