package io.wakegate.interceptor.hold;

import java.util.concurrent.atomic.AtomicInteger;

/** The cap on held requests across all routes. Thread-safe and lock-free. */
public final class HoldLimit {

    private final int max;
    private final AtomicInteger held = new AtomicInteger();

    public HoldLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.max = max;
    }

    /** Takes one place; false when all are taken. */
    public boolean tryAcquire() {
        while (true) {
            int current = held.get();
            if (current >= max) {
                return false;
            }
            if (held.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    public void release() {
        held.decrementAndGet();
    }

    public int held() {
        return held.get();
    }

    public int max() {
        return max;
    }
}
