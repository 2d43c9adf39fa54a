package io.wakegate.benchmarks;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.wakegate.interceptor.forward.ClientCodec;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a client connection's codec costs per request: one op decodes a chat request as the
 * OpenAI Java SDK sends it (16 header fields, a small body) and encodes a bodyless 200, on an
 * {@link EmbeddedChannel}, through Netty's {@code HttpServerCodec} ({@code netty}) or Wakegate's
 * {@link ClientCodec} ({@code wakegate}), as the proxy's pipeline has it.
 * With {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes each allocates per request.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ClientCodec -f 1 -wi 3 -i 5 -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ClientCodecBenchmark {

    /** Header names and order of the OpenAI Java SDK 4.8's chat request (values shortened). */
    static final byte[] SDK_REQUEST = ("POST /v1/chat/completions HTTP/1.1\r\nHost: wakegate:8080\r\n"
            + "Authorization: Bearer sk-test\r\nUser-Agent: OpenAI/Java 4.8.0\r\nX-Stainless-Lang: java\r\n"
            + "X-Stainless-Package-Version: 4.8.0\r\nX-Stainless-OS: Linux\r\nX-Stainless-OS-Version: 6.1\r\n"
            + "X-Stainless-Arch: x64\r\nX-Stainless-Runtime: JRE\r\nX-Stainless-Runtime-Version: 17.0.15\r\n"
            + "X-Stainless-Retry-Count: 0\r\nX-Stainless-Timeout: 600\r\nAccept: application/json\r\n"
            + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.ISO_8859_1);

    @Param({"netty", "wakegate"})
    public String codec;

    private EmbeddedChannel channel;
    private FullHttpResponse response;

    @Setup(Level.Trial)
    public void setUp() {
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxChunkSize(64 * 1024);
        ChannelHandler handler = codec.equals("netty") ? new HttpServerCodec(config)
                : new ClientCodec(config);
        channel = new EmbeddedChannel(handler);
        response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        response.release();
    }

    @Benchmark
    public int request() {
        channel.writeInbound(Unpooled.wrappedBuffer(SDK_REQUEST));
        int messages = 0;
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            ReferenceCountUtil.release(msg);
            messages++;
        }
        channel.writeOutbound(response.retainedDuplicate());
        while ((msg = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(msg);
        }
        return messages;
    }
}
