package io.wakegate.benchmarks;

import io.wakegate.benchmarks.support.ChatBodies;
import io.wakegate.interceptor.openai.ModelPeek;
import java.nio.ByteBuffer;
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
 * What finding the {@code model} of a request body costs: one {@link ModelPeek} per op (one
 * request), fed the body's 2 KiB reads ({@link ChatBodies#pieces}, direct buffers as the pooled
 * socket reads are) until it decides, then closed. The {@link ChatBodies.Shape}s: a ~600-byte
 * chat body with {@code model} first, the same with {@code model} after {@code messages} (what
 * the OpenAI SDKs send), and {@code model} after 16 KiB of {@code messages} (9 reads). With
 * {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes allocated per request.
 * {@code ModelReadAheadBenchmark} measures the same with the interceptor's buffers around it.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ModelPeek -f 1 -wi 3 -i 5 -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ModelPeekBenchmark {

    @Param
    ChatBodies.Shape shape;

    private ByteBuffer[] pieces;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] body = ChatBodies.body(shape);
        pieces = ChatBodies.pieces(body);
        try (ModelPeek peek = peek(pieces)) {
            if (!ChatBodies.MODEL.equals(peek.model())) {
                throw new IllegalStateException(shape + ": " + peek.outcome() + " " + peek.model() + " " + peek.error());
            }
            System.out.println("# " + shape + ": " + body.length + " B body in " + pieces.length
                    + " read(s); model decided after " + peek.bytesRead() + " B");
        }
    }

    /** A new peek fed {@code pieces} (each rewound) until it decides; the caller closes it. */
    static ModelPeek peek(ByteBuffer[] pieces) {
        ModelPeek peek = new ModelPeek();
        for (ByteBuffer piece : pieces) {
            if (peek.feed(piece.rewind()) != ModelPeek.Outcome.NEED_MORE) {
                break;
            }
        }
        return peek;
    }

    @Benchmark
    public String peek() {
        try (ModelPeek peek = peek(pieces)) {
            return peek.model();
        }
    }
}
