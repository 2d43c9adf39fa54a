package io.wakegate.benchmarks.support;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
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
 * JMH worker running the client, and its trial setup and teardown in the first and last iteration;
 * this profiler's own reader thread is left out). {@code -prof gc}'s {@code gc.alloc.rate.norm} is the sum over
 * the whole fork, so "wakegate minus direct" also counts what the backend spends decoding the
 * forwarding headers the interceptor adds; {@code alloc.interceptor.norm} is the interceptor's own.
 *
 * <p>Read from HotSpot's per-thread allocation counters, which are exact, not sampled. A thread's
 * counter goes with it when it ends, and the last iteration's trial teardown stops the servers
 * before {@link #afterIteration} runs: so the counters are also read every 10 ms during an
 * iteration, and a thread that ended counts up to its last reading (the last iteration can miss
 * up to 10 ms of its ~1 s). Every reading runs on the reader thread, one at a time.
 *
 * <p>Use: {@code -prof io.wakegate.benchmarks.support.ThreadAllocationProfiler}.
 */
public final class ThreadAllocationProfiler implements InternalProfiler {

    private static final String INTERCEPTOR = "wakegate-";
    private static final String BACKEND = "fast-backend-";

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** The reader's thread id, not counted: its readings allocate a few KB each. */
    private volatile long readerId = -1;
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "thread-allocation-reader");
        t.setDaemon(true);
        readerId = t.getId();
        return t;
    });
    private Map<Long, Counted> before = Map.of();
    /** The latest reading; only the reader thread reads and writes it. */
    private Map<Long, Counted> latest = Map.of();
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
        before = onReader(() -> latest = read(Map.of()));
        reading = reader.scheduleAtFixedRate(() -> latest = read(latest), 10, 10, TimeUnit.MILLISECONDS);
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        reading.cancel(false);
        // Queued behind a reading in progress, if any: the last reading is this one.
        Map<Long, Counted> after = onReader(() -> read(latest));
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

    private Map<Long, Counted> onReader(Callable<Map<Long, Counted>> reading) {
        try {
            return reader.submit(reading).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Every live thread's counter, except the reader's own; a thread in {@code previous} that has
     * ended since keeps its value there. Runs on the reader thread.
     */
    private Map<Long, Counted> read(Map<Long, Counted> previous) {
        Map<Long, Counted> now = new HashMap<>(previous);
        long self = readerId;
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
