package io.wakegate.benchmarks.support;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Bytes allocated per benchmark operation, split by who allocated them: the interceptor's threads
 * ({@code wakegate-*}), the benchmark's backend ({@code fast-backend-*}) and everything else (the
 * JMH worker running the client). {@code -prof gc}'s {@code gc.alloc.rate.norm} is the sum over
 * the whole fork, so "wakegate minus direct" also counts what the backend spends decoding the
 * forwarding headers the interceptor adds; {@code alloc.interceptor.norm} is the interceptor's own.
 *
 * <p>Read from HotSpot's per-thread allocation counters, which are exact, not sampled. A thread's
 * counter goes with it when it ends, and the last iteration's trial teardown stops the servers
 * before {@link #afterIteration} runs: so the counters are also read every 10 ms during an
 * iteration, and a thread that ended counts up to its last reading (the last iteration can miss
 * up to 10 ms of its ~1 s).
 *
 * <p>Use: {@code -prof io.wakegate.benchmarks.support.ThreadAllocationProfiler}.
 */
public final class ThreadAllocationProfiler implements InternalProfiler {

    private static final String INTERCEPTOR = "wakegate-";
    private static final String BACKEND = "fast-backend-";

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "thread-allocation-reader");
        t.setDaemon(true);
        return t;
    });
    private Map<Long, Counted> before = Map.of();
    /** The latest reading; only the reader thread writes it while an iteration runs. */
    private volatile Map<Long, Counted> latest = Map.of();
    private ScheduledFuture<?> reading;

    /** A thread's allocated bytes at one reading, with its name. */
    private record Counted(String name, long bytes) {
    }

    public ThreadAllocationProfiler() {
        if (!threads.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM does not count allocation per thread");
        }
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    @Override
    public String getDescription() {
        return "bytes allocated per operation by the interceptor's, the backend's and the other threads";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = read(Map.of());
        latest = before;
        reading = reader.scheduleAtFixedRate(() -> latest = read(latest), 10, 10, TimeUnit.MILLISECONDS);
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        reading.cancel(false);
        Map<Long, Counted> after = read(latest);
        long interceptor = 0;
        long backend = 0;
        long other = 0;
        for (Map.Entry<Long, Counted> e : after.entrySet()) {
            Counted then = before.get(e.getKey());
            long delta = e.getValue().bytes() - (then == null ? 0L : then.bytes());
            String name = e.getValue().name();
            if (name.startsWith(INTERCEPTOR)) {
                interceptor += delta;
            } else if (name.startsWith(BACKEND)) {
                backend += delta;
            } else {
                other += delta;
            }
        }
        long ops = result.getMetadata().getAllOps();
        List<Result> out = new ArrayList<>();
        if (ops > 0) {
            out.add(perOp("alloc.interceptor.norm", interceptor, ops));
            out.add(perOp("alloc.backend.norm", backend, ops));
            out.add(perOp("alloc.other.norm", other, ops));
        }
        return out;
    }

    private static ScalarResult perOp(String label, long bytes, long ops) {
        return new ScalarResult(label, (double) bytes / ops, "B/op", AggregationPolicy.AVG);
    }

    /**
     * Every live thread's counter, except the reader's own; a thread in {@code previous} that has
     * ended since keeps its value there.
     */
    private Map<Long, Counted> read(Map<Long, Counted> previous) {
        Map<Long, Counted> now = new HashMap<>(previous);
        long self = Thread.currentThread().getName().equals("thread-allocation-reader")
                ? Thread.currentThread().getId() : -1;
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        java.lang.management.ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0 && infos[i] != null && ids[i] != self) {
                now.put(ids[i], new Counted(infos[i].getThreadName(), bytes[i]));
            }
        }
        return now;
    }
}
