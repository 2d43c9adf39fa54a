package io.wakegate.benchmarks;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.wakegate.interceptor.routing.RouteMatcher;
import io.wakegate.interceptor.routing.RouteRule;
import java.util.List;
import java.util.SplittableRandom;
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
 * Routing a request by its model, as the proxy does it once the head is read: {@code
 * needsModel}, then {@code match} — with the model the body named ({@code withModels}: one route
 * per model, 2 to 2,000 of them, on one address) or with none ({@code noModels}: the same address
 * served by one route without models, where {@code needsModel} answers false at once). Every table
 * also has 20 other routes on other hosts. The models of the requests cycle through {@value
 * #REQUESTS} names spread over the whole table, so that the figure with 2,000 models is not one
 * hot entry; the models on one address are one hash map, so it should stay flat as they grow.
 * The model names are reused, so their hash codes are cached: a request's freshly parsed name
 * computes its own once more (a few ns for 20 characters; {@link ModelPeekBenchmark} has the parsing).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ModelRoute -f 1 -wi 3 -i 5}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ModelRouteBenchmark {

    static final int REQUESTS = 1024;
    static final String HOST = "api.models.test";
    static final String PATH = "/v1/chat/completions";
    static final HttpHeaders HEADERS = new DefaultHttpHeaders().add("content-type", "application/json")
            .add("authorization", "Bearer sk-bench").add("user-agent", "OpenAI/Java 2.0");

    /** The address served by one route without models. */
    @State(Scope.Thread)
    public static class NoModels {
        RouteMatcher<String> matcher;

        @Setup(Level.Trial)
        public void setUp() {
            matcher = table(0);
            check(matcher, null, "chat");
        }
    }

    /** The address served by {@code models} routes with one model each. */
    @State(Scope.Thread)
    public static class Models {
        @Param({"2", "200", "2000"})
        int models;

        RouteMatcher<String> matcher;
        final String[] requests = new String[REQUESTS];
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            matcher = table(models);
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < REQUESTS; i++) {
                int model = random.nextInt(models);
                requests[i] = "model-" + model;
                check(matcher, requests[i], "route-" + model);
            }
        }
    }

    /** 20 routes on other hosts, then the address: one route without models, or {@code models} routes. */
    static RouteMatcher<String> table(int models) {
        RouteMatcher.Builder<String> builder = RouteMatcher.builder();
        for (int i = 0; i < 20; i++) {
            builder.add(new RouteRule(List.of("svc" + i + ".models.test"), List.of("/v1"), List.of()), "other-" + i);
        }
        RouteRule address = new RouteRule(List.of(HOST), List.of("/v1"), List.of());
        if (models == 0) {
            builder.add(address, "chat");
        }
        for (int i = 0; i < models; i++) {
            builder.add(address.withModels("model-" + i), "route-" + i);
        }
        return builder.build();
    }

    static void check(RouteMatcher<String> matcher, String model, String expected) {
        String routed = route(matcher, model);
        if (!expected.equals(routed) || matcher.needsModel(HOST, PATH, HEADERS) != (model != null)) {
            throw new IllegalStateException("model " + model + " routed to " + routed + ", wanted " + expected);
        }
    }

    /** What the proxy does: the model matters only when {@code needsModel} says so. */
    static String route(RouteMatcher<String> matcher, String model) {
        if (matcher.needsModel(HOST, PATH, HEADERS)) {
            return matcher.match(HOST, PATH, HEADERS, model);
        }
        return matcher.match(HOST, PATH, HEADERS, null);
    }

    @Benchmark
    public String noModels(NoModels s) {
        return route(s.matcher, null);
    }

    @Benchmark
    public String withModels(Models s) {
        return route(s.matcher, s.requests[s.next++ & (REQUESTS - 1)]);
    }
}
