package io.wakegate.scaler.aggregate;

/**
 * A ring of fixed-width time buckets holding request and concurrency-integral increments,
 * so that sums over any window up to the ring's length cost one pass over the ring.
 *
 * <p>Not thread-safe: guarded by the lock of the {@link DemandAggregator} route it belongs to.
 */
final class BucketWindow {

    private final long widthNanos;
    private final long[] epochs;
    private final long[] requests;
    private final long[] concurrencyNanos;

    BucketWindow(long widthNanos, int slots) {
        this.widthNanos = widthNanos;
        epochs = new long[slots];
        java.util.Arrays.fill(epochs, Long.MIN_VALUE);
        requests = new long[slots];
        concurrencyNanos = new long[slots];
    }

    void add(long nowNanos, long requestDelta, long concurrencyDelta) {
        long epoch = Math.floorDiv(nowNanos, widthNanos);
        int slot = (int) Math.floorMod(epoch, (long) epochs.length);
        if (epochs[slot] != epoch) {
            epochs[slot] = epoch;
            requests[slot] = 0;
            concurrencyNanos[slot] = 0;
        }
        requests[slot] += requestDelta;
        concurrencyNanos[slot] += concurrencyDelta;
    }

    /**
     * Sums the buckets that overlap the last {@code windowNanos}.
     *
     * @return {@code {requests, concurrencyNanos, spanNanos}} where span is the time the
     *         summed buckets cover up to {@code nowNanos}
     */
    long[] sum(long nowNanos, long windowNanos) {
        long nowEpoch = Math.floorDiv(nowNanos, widthNanos);
        long count = Math.max(1, Math.min(epochs.length - 1, ceilDiv(windowNanos, widthNanos)));
        long firstEpoch = nowEpoch - count + 1;
        long req = 0;
        long conc = 0;
        for (int i = 0; i < epochs.length; i++) {
            long e = epochs[i];
            if (e >= firstEpoch && e <= nowEpoch) {
                req += requests[i];
                conc += concurrencyNanos[i];
            }
        }
        long span = (count - 1) * widthNanos + (nowNanos - nowEpoch * widthNanos);
        return new long[] {req, conc, span};
    }

    /** Whether no bucket holds anything newer than {@code windowNanos} before now. */
    boolean emptySince(long nowNanos, long windowNanos) {
        long firstEpoch = Math.floorDiv(nowNanos - windowNanos, widthNanos);
        for (int i = 0; i < epochs.length; i++) {
            if (epochs[i] >= firstEpoch && (requests[i] != 0 || concurrencyNanos[i] != 0)) {
                return false;
            }
        }
        return true;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
