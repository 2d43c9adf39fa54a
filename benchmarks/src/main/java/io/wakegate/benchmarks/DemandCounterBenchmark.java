package io.wakegate.benchmarks;

import io.wakegate.interceptor.demand.DemandCounter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Demand accounting per warm request: {@link DemandCounter#arrived()}, {@link DemandCounter#admitted()}
 * and {@link DemandCounter#finished()} — the three calls the request path makes for a request that
 * is admitted without waiting. One op = one request.
 *
 * <ul>
 *   <li>{@code idleRoute}: one thread, the route idle between requests, so every request takes it
 *       from 0 to 1 in flight and runs the activation callback (a no-op here);</li>
 *   <li>{@code busyRoute}: one thread, one long request kept in flight (no activations);</li>
 *   <li>{@code contended}: two threads on the same route's counter, as two event loops serving one
 *       hot route (this machine has 2 cores, so this is the most contention it can show).</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DemandCounter -w 1s -r 1s -f 1 -wi 2 -i 3}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DemandCounterBenchmark {

    /** A counter shared by every benchmark thread. */
    @State(Scope.Benchmark)
    public static class Idle {
        final DemandCounter counter = new DemandCounter("bench", () -> { });
    }

    /** A counter with one request permanently in flight. */
    @State(Scope.Benchmark)
    public static class Busy {
        final DemandCounter counter = new DemandCounter("bench", () -> { });

        @Setup(Level.Trial)
        public void setUp() {
            counter.admitted();
        }
    }

    @Benchmark
    @Threads(1)
    public void idleRoute(Idle s) {
        request(s.counter);
    }

    @Benchmark
    @Threads(1)
    public void busyRoute(Busy s) {
        request(s.counter);
    }

    @Benchmark
    @Threads(2)
    public void contended(Busy s) {
        request(s.counter);
    }

    private static void request(DemandCounter c) {
        c.arrived();
        c.admitted();
        c.finished();
    }
}
