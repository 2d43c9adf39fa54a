package io.wakegate.interceptor.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.wakegate.benchmarks.support.ChatBodies;
import io.wakegate.interceptor.config.LimitsConfig;
import io.wakegate.interceptor.hold.ReadAheadBudget;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code io.wakegate.benchmarks.ModelPeekBenchmark} with the interceptor's read-ahead around the
 * peek: per op (one request) a {@link ModelReadAhead} with the default limits, one pooled direct
 * buffer from {@link ByteBufAllocator#DEFAULT} per 2 KiB read (filled from the body, where a
 * socket read would), each wrapped as the body message the HTTP decoder hands on and added until
 * the peek decides; then what was read is taken as the message to forward, released (as writing
 * it to the backend would) and the read-ahead released. Not measured: the socket reads, the HTTP
 * decoder, routing and the write.
 *
 * <p>In the interceptor's package because {@link ModelReadAhead} is package-private: the
 * benchmarks jar puts it on the same class path (the interceptor has no module descriptor). The
 * JMH thread is not a Netty event loop, so the allocator serves it as any other thread.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ModelReadAhead -f 1 -wi 3 -i 5 -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ModelReadAheadBenchmark {

    @Param
    ChatBodies.Shape shape;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final ReadAheadBudget budget = new ReadAheadBudget(LimitsConfig.DEFAULT_READ_AHEAD_BUDGET);
    private byte[] body;

    @Setup(Level.Trial)
    public void setUp() {
        body = ChatBodies.body(shape);
        String model = readAhead();
        if (!ChatBodies.MODEL.equals(model) || budget.used() != 0) {
            throw new IllegalStateException(shape + ": model " + model + ", budget used " + budget.used());
        }
    }

    @Benchmark
    public String readAhead() {
        ModelReadAhead readAhead = new ModelReadAhead(alloc, budget, LimitsConfig.DEFAULT_MODEL_READ_AHEAD, false);
        try {
            for (int offset = 0; offset < body.length; offset += ChatBodies.READ) {
                int length = Math.min(ChatBodies.READ, body.length - offset);
                ByteBuf read = alloc.directBuffer(length).writeBytes(body, offset, length);
                HttpContent content = offset + length == body.length
                        ? new DefaultLastHttpContent(read) : new DefaultHttpContent(read);
                if (readAhead.add(content) != ModelReadAhead.Step.NEED_MORE) {
                    break;
                }
            }
            readAhead.take().release();
            return readAhead.peek().model();
        } finally {
            readAhead.release();
        }
    }
}
