package io.wakegate.interceptor.hold;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The cap on request-body bytes read ahead — read to find a request's {@code model} and kept
 * until forwarded — over all requests at once, so a flood of held model requests stays bounded
 * like any other. Thread-safe and lock-free.
 */
public final class ReadAheadBudget {

    private final long max;
    private final AtomicLong used = new AtomicLong();

    public ReadAheadBudget(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.max = max;
    }

    /** Takes {@code bytes}; false, taking nothing, when that would exceed the budget. */
    public boolean tryReserve(long bytes) {
        while (true) {
            long current = used.get();
            if (current + bytes > max) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    /**
     * Takes {@code bytes} even past the cap: for bytes already read that must not be dropped.
     * Callers bound how far they overshoot.
     */
    public void reserve(long bytes) {
        used.addAndGet(bytes);
    }

    /** Gives back {@code bytes} taken by {@link #tryReserve} or {@link #reserve}. */
    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Bytes taken now. */
    public long used() {
        return used.get();
    }

    public long max() {
        return max;
    }
}
