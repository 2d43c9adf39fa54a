package io.wakegate.benchmarks;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.wakegate.interceptor.routing.HeaderCondition;
import io.wakegate.interceptor.routing.RouteMatcher;
import io.wakegate.interceptor.routing.RouteRule;
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

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cost of one {@link RouteMatcher#match} as the table grows from 10 to 100,000 routes; it
 * should stay roughly flat. The table mixes, in equal parts, exact hosts with deep prefixes,
 * wildcard hosts, header-conditioned routes and the plain routes they fall back to, plus a
 * route for any host. Each benchmark cycles through {@value #REQUESTS} requests spread over the
 * whole table, so that one hot entry in the cache does not hide the table's size; the growth
 * that remains at 100,000 routes is cache misses on a larger heap, not more work.
 * {@link #exactHostHot} cycles through 8 requests only: that is the algorithmic cost alone.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RouteLookup}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class RouteLookupBenchmark {

    static final int REQUESTS = 1024;

    @Param({"10", "1000", "100000"})
    int routes;

    private RouteMatcher<String> matcher;
    private final Request[] exact = new Request[REQUESTS];
    private final Request[] wildcard = new Request[REQUESTS];
    private final Request[] headerMatch = new Request[REQUESTS];
    private final Request[] headerFallback = new Request[REQUESTS];
    private final Request[] anyHost = new Request[REQUESTS];
    private int next;

    private record Request(String host, String path, HttpHeaders headers) {
    }

    @Setup(Level.Trial)
    public void setUp() {
        RouteMatcher.Builder<String> builder = RouteMatcher.builder();
        // Kinds by i % 4: exact host with a deep prefix; wildcard host; header route on a gpu host;
        // the plain route that the previous gpu host falls back to.
        for (int i = 0; i < routes - 1; i++) {
            switch (i % 4) {
                case 0 -> builder.add(new RouteRule(List.of("svc" + i + ".models.test"),
                        List.of("/v1/models/m" + i), List.of()), "exact-" + i);
                case 1 -> builder.add(new RouteRule(List.of("*.tenant" + i + ".example.com"),
                        List.of("/"), List.of()), "wildcard-" + i);
                case 2 -> builder.add(new RouteRule(List.of("gpu" + i + ".models.test"),
                        List.of("/v1/chat"), List.of(HeaderCondition.equalTo("x-model", "m" + i))), "header-" + i);
                default -> builder.add(new RouteRule(List.of("gpu" + (i - 1) + ".models.test"),
                        List.of("/v1"), List.of()), "plain-" + (i - 1));
            }
        }
        builder.add(new RouteRule(List.of("*"), List.of("/healthz"), List.of()), "any-healthz");
        matcher = builder.build();
        if (matcher.size() != routes) {
            throw new IllegalStateException("built " + matcher.size() + " routes, wanted " + routes);
        }

        SplittableRandom random = new SplittableRandom(42);
        int groups = Math.max(1, (routes - 1) / 4);
        DefaultHttpHeaders none = new DefaultHttpHeaders();
        for (int r = 0; r < REQUESTS; r++) {
            int base = 4 * random.nextInt(groups);
            DefaultHttpHeaders common = new DefaultHttpHeaders();
            common.add("user-agent", "bench").add("accept", "text/event-stream");
            exact[r] = new Request("SVC" + base + ".models.test:8080",
                    "/v1/models/m" + base + "/generate?stream=true", none);
            wildcard[r] = new Request("a.b.tenant" + (base + 1) + ".example.com", "/v1/chat", none);
            DefaultHttpHeaders model = new DefaultHttpHeaders();
            model.add("x-model", "m" + (base + 2)).add("user-agent", "bench");
            headerMatch[r] = new Request("gpu" + (base + 2) + ".models.test", "/v1/chat/completions", model);
            headerFallback[r] = new Request("gpu" + (base + 2) + ".models.test", "/v1/chat/completions", common);
            anyHost[r] = new Request("unknown" + base + ".test", "/healthz/ready", common);
        }
        check(exact, "exact-");
        check(wildcard, "wildcard-");
        check(headerMatch, "header-");
        check(headerFallback, "plain-");
        check(anyHost, "any-healthz");
    }

    private void check(Request[] requests, String expectedPrefix) {
        for (Request request : requests) {
            String target = matcher.match(request.host(), request.path(), request.headers());
            if (target == null || !target.startsWith(expectedPrefix)) {
                throw new IllegalStateException(request + " matched " + target + ", wanted " + expectedPrefix);
            }
        }
    }

    private Request next(Request[] requests) {
        return requests[next++ & (REQUESTS - 1)];
    }

    @Benchmark
    public String exactHost() {
        Request request = next(exact);
        return matcher.match(request.host(), request.path(), request.headers());
    }

    @Benchmark
    public String exactHostHot() {
        Request request = exact[next++ & 7];
        return matcher.match(request.host(), request.path(), request.headers());
    }

    @Benchmark
    public String wildcardHost() {
        Request request = next(wildcard);
        return matcher.match(request.host(), request.path(), request.headers());
    }

    @Benchmark
    public String headerMatch() {
        Request request = next(headerMatch);
        return matcher.match(request.host(), request.path(), request.headers());
    }

    @Benchmark
    public String headerFallbackToShorterPrefix() {
        Request request = next(headerFallback);
        return matcher.match(request.host(), request.path(), request.headers());
    }

    @Benchmark
    public String unknownHostToAnyHostRoute() {
        Request request = next(anyHost);
        return matcher.match(request.host(), request.path(), request.headers());
    }
}
