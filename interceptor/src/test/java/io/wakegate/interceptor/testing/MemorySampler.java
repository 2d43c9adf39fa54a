package io.wakegate.interceptor.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the memory Netty's allocators hold (direct + heap) every few milliseconds on a daemon
 * thread and keeps the maximum. Both the pooled allocator and the process default (adaptive in
 * Netty 4.2) are summed, so whichever the proxy uses is covered.
 */
public final class MemorySampler implements AutoCloseable {

    private final AtomicLong max = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    public MemorySampler() {
        thread = new Thread(() -> {
            while (running) {
                max.accumulateAndGet(used(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Bytes held by the pooled and the default allocators now. */
    public static long used() {
        long used = sum(PooledByteBufAllocator.DEFAULT.metric());
        if (ByteBufAllocator.DEFAULT != PooledByteBufAllocator.DEFAULT
                && ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            used += sum(p.metric());
        }
        return used;
    }

    private static long sum(ByteBufAllocatorMetric m) {
        return m.usedDirectMemory() + m.usedHeapMemory();
    }

    /** The largest sample so far. */
    public long max() {
        max.accumulateAndGet(used(), Math::max);
        return max.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(1000);
    }
}
