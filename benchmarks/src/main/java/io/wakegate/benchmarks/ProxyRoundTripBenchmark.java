package io.wakegate.benchmarks;

import io.wakegate.benchmarks.support.FastBackend;
import io.wakegate.benchmarks.support.KeepAliveClient;
import io.wakegate.benchmarks.support.Quiet;
import io.wakegate.benchmarks.support.Servers;
import io.wakegate.interceptor.InterceptorServer;
import java.io.IOException;
import java.time.Duration;
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
 * One keep-alive HTTP/1.1 GET round trip, {@code direct} to a loopback {@link FastBackend} versus
 * through a running {@link InterceptorServer} ({@code wakegate}) to the same backend. The
 * difference between the two is the interceptor's added latency per request. The client is
 * {@link KeepAliveClient} (a blocking socket, no HTTP library), one connection per benchmark
 * thread; the backend, the interceptor and the client all run in the JMH fork. For what the
 * interceptor allocates per request add {@code -prof io.wakegate.benchmarks.support.ThreadAllocationProfiler}
 * ({@code alloc.interceptor.norm}); {@code -prof gc}'s {@code gc.alloc.rate.norm} counts the
 * whole fork, and through the interceptor the backend also decodes the forwarding fields it adds.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ProxyRoundTrip -w 1s -r 1s -f 1 -wi 3 -i 3}
 * (add {@code -p transport=epoll} for another transport of the interceptor).
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// Leak detection off, as jvm.options runs the interceptor (it samples a buffer in 128 with a stack trace).
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class ProxyRoundTripBenchmark {

    /** The backend and, for {@code wakegate}, the interceptor in front of it. */
    @State(Scope.Benchmark)
    public static class Path {
        @Param({"direct", "wakegate"})
        public String path;

        /** Response body bytes: 128 is the small response; any other N fetches /bytes/N. */
        @Param({"128"})
        public int bytes;

        /** The interceptor's transport ({@code server.transport}): auto, io_uring, epoll or nio. */
        @Param({"auto"})
        public String transport;

        FastBackend backend;
        InterceptorServer interceptor;
        int port;
        byte[] request;

        @Setup(Level.Trial)
        public void start() throws Exception {
            Quiet.logs();
            backend = FastBackend.start(0, 1);
            port = backend.port();
            String uri = bytes == FastBackend.SMALL_BODY ? "/small" : "/bytes/" + bytes;
            if (path.equals("wakegate")) {
                interceptor = Servers.interceptor(transport, "routes:\n" + Servers.route("bench", "/", backend.url(),
                        "{path: /health, interval: 2s, timeout: 1s}"));
                port = interceptor.proxyAddress().getPort();
                Servers.awaitOk(port, uri, Duration.ofSeconds(10));
            }
            request = KeepAliveClient.get(uri, "127.0.0.1:" + port);
        }

        @TearDown(Level.Trial)
        public void stop() {
            if (interceptor != null) {
                interceptor.close();
            }
            System.out.println("# backend connections accepted: " + backend.connectionsAccepted());
            backend.close();
        }
    }

    /** One keep-alive connection per benchmark thread. */
    @State(Scope.Thread)
    public static class Client {
        KeepAliveClient client;

        @Setup(Level.Trial)
        public void connect(Path p) throws IOException {
            client = new KeepAliveClient("127.0.0.1", p.port);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            client.close();
        }
    }

    @Benchmark
    public int get(Path p, Client c) throws IOException {
        int status = c.client.exchange(p.request);
        if (status != 200) {
            throw new IllegalStateException("status " + status);
        }
        return status;
    }
}
