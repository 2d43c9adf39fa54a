package io.wakegate.interceptor.routing;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RouteMatcherTest {

    private static HeaderCondition present(String name) {
        return HeaderCondition.present(name);
    }

    private static HeaderCondition equalTo(String name, String value) {
        return HeaderCondition.equalTo(name, value);
    }

    private static RouteRule rule(List<String> hosts, List<String> prefixes, HeaderCondition... headers) {
        return new RouteRule(hosts, prefixes, List.of(headers));
    }

    /** The table every precedence row runs against; targets are the routes' names. */
    private static final RouteMatcher<String> TABLE = RouteMatcher.<String>builder()
            // Exact host, declared from least to most specific so that order cannot explain a win.
            .add(rule(List.of("api.example.com"), List.of("/api")), "exact-api")
            .add(rule(List.of("api.example.com"), List.of("/api/v1/")), "exact-api-v1")
            .add(rule(List.of("api.example.com"), List.of("/api/v1"), present("X-Canary")), "exact-api-v1-canary")
            .add(rule(List.of("API.example.com"), List.of("/api/v1"), present("x-canary"), equalTo("x-tenant", "acme")),
                    "exact-api-v1-tenant")
            .add(rule(List.of("gpu.example.com"), List.of("/v1"), equalTo("x-model", "llama")), "exact-gpu-llama")
            .add(rule(List.of("models.test"), List.of("/v1"), equalTo("x-model", "llama")), "models-llama")
            .add(rule(List.of("localhost"), List.of()), "local")
            .add(rule(List.of("[::1]"), List.of("/")), "ipv6")
            // Wildcards.
            .add(rule(List.of("*.example.com"), List.of("/")), "wild-example")
            .add(rule(List.of("*.example.com"), List.of("/v1"), present("x-model")), "wild-example-v1-model")
            .add(rule(List.of("*.internal.example.com"), List.of()), "wild-internal")
            // Any host.
            .add(rule(List.of(), List.of("/healthz")), "any-healthz")
            .add(rule(List.of("*"), List.of("/"), equalTo("x-tier", "premium")), "any-premium")
            // Ties: same host, prefix and number of conditions.
            .add(rule(List.of("tie.test"), List.of("/x"), present("x-a")), "tie-first")
            .add(rule(List.of("tie.test"), List.of("/x"), present("x-b")), "tie-second")
            .add(rule(List.of("tie.test"), List.of("/x/")), "tie-plain-first")
            .add(rule(List.of("TIE.test."), List.of("/x")), "tie-plain-second")
            .build();

    @ParameterizedTest(name = "[{index}] {0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            # host                     | path                      | headers                        | expected
            # exact beats wildcard beats any host; longer prefix beats shorter
            api.example.com            | /api/users                |                                | exact-api
            api.example.com            | /api                      |                                | exact-api
            api.example.com            | /api/                     |                                | exact-api
            api.example.com            | /api/v1/models            |                                | exact-api-v1
            api.example.com            | /api/v1                   |                                | exact-api-v1
            api.example.com            | /healthz                  |                                | wild-example
            foo.example.com            | /healthz                  |                                | wild-example
            unknown.test               | /healthz                  |                                | any-healthz
            # segment-aware prefixes
            api.example.com            | /apix                     |                                | wild-example
            api.example.com            | /api/v1x                  |                                | exact-api
            unknown.test               | /healthzx                 |                                | null
            unknown.test               | /healthz/live             |                                | any-healthz
            unknown.test               | //healthz                 |                                | null
            # port, case, trailing dot, whitespace, IPv6
            API.Example.COM:8443       | /api                      |                                | exact-api
            api.example.com.           | /api                      |                                | exact-api
            api.example.com.:443       | /api                      |                                | exact-api
            ' api.example.com '        | /api                      |                                | exact-api
            LOCALHOST:8080             | /anything                 |                                | local
            [::1]:8080                 | /                         |                                | ipv6
            [::1]                      | /v1/x                     |                                | ipv6
            ::1                        | /                         |                                | ipv6
            [::2]:8080                 | /healthz                  |                                | any-healthz
            [::1                       | /healthz                  |                                | any-healthz
            # wildcards: any depth, never the apex, longer suffix first (even over a longer prefix)
            a.b.example.com            | /                         |                                | wild-example
            example.com                | /                         |                                | null
            example.com                | /healthz                  |                                | any-healthz
            .example.com               | /                         |                                | null
            x.internal.example.com     | /                         |                                | wild-internal
            a.b.internal.example.com   | /v1/chat                  | x-model=a                      | wild-internal
            internal.example.com       | /v1/chat                  | x-model=a                      | wild-example-v1-model
            X.Internal.Example.Com.:80 | /                         |                                | wild-internal
            # header fallback: same prefix fewer conditions, shorter prefix, wildcard tier, any host
            api.example.com            | /api/v1/chat              | x-canary=1;x-tenant=acme       | exact-api-v1-tenant
            api.example.com            | /api/v1/chat              | X-CANARY=1                     | exact-api-v1-canary
            api.example.com            | /api/v1/chat              | x-canary=1;x-tenant=ACME       | exact-api-v1-canary
            api.example.com            | /api/v1/chat              | x-tenant=acme                  | exact-api-v1
            api.example.com            | /api/v1/chat              | x-canary=                      | exact-api-v1-canary
            gpu.example.com            | /v1/chat                  | x-model=llama                  | exact-gpu-llama
            gpu.example.com            | /v1/chat                  | x-model=mistral                | wild-example-v1-model
            gpu.example.com            | /v1/chat                  |                                | wild-example
            models.test                | /v1/chat                  | x-model=llama                  | models-llama
            models.test                | /v1/chat                  | x-model=other;x-tier=premium   | any-premium
            models.test                | /v1/chat                  | x-model=other                  | null
            unknown.test               | /healthz                  | x-tier=premium                 | any-healthz
            # header values: exact and case-sensitive; several lines; commas not split
            models.test                | /v1                       | x-model=Llama                  | null
            models.test                | /v1                       | x-model=llama2                 | null
            models.test                | /v1                       | x-model=mistral;x-model=llama  | models-llama
            models.test                | /v1                       | 'x-model=mistral, llama'       | null
            # query strings and fragments are ignored
            api.example.com            | /api?next=/api/v1         |                                | exact-api
            api.example.com            | /api/v1?x=1               |                                | exact-api-v1
            api.example.com            | /api/v1#top               |                                | exact-api-v1
            unknown.test               | /healthz?verbose          |                                | any-healthz
            unknown.test               | ?/healthz                 |                                | null
            # no host: only routes for any host
            null                       | /healthz                  |                                | any-healthz
            null                       | /                         | x-tier=premium                 | any-premium
            ''                         | /                         |                                | null
            # ties: declaration order
            tie.test                   | /x                        | x-a=1;x-b=1                    | tie-first
            tie.test                   | /x/y                      | x-b=1                          | tie-second
            tie.test                   | /x                        |                                | tie-plain-first
            """)
    void mostSpecificRouteWins(String host, String path, String headers, String expected) {
        assertThat(TABLE.match(host, path, headers(headers))).isEqualTo(expected);
    }

    @Test
    void nullPathAndNullHeadersAreReadAsRootAndNoHeaders() {
        assertThat(TABLE.match("localhost", null, null)).isEqualTo("local");
        assertThat(TABLE.match("api.example.com", "/api/v1", null)).isEqualTo("exact-api-v1");
        assertThat(TABLE.match("unknown.test", null, headers("x-tier=premium"))).isEqualTo("any-premium");
    }

    @Test
    void tiesAreBrokenByDeclarationOrder() {
        RouteRule a = rule(List.of("h.test"), List.of("/p"), present("x-a"));
        RouteRule b = rule(List.of("h.test"), List.of("/p"), present("x-b"));
        HttpHeaders both = headers("x-a=1;x-b=1");
        RouteMatcher<String> ab = RouteMatcher.<String>builder().add(a, "a").add(b, "b").build();
        RouteMatcher<String> ba = RouteMatcher.<String>builder().add(b, "b").add(a, "a").build();

        assertThat(ab.match("h.test", "/p", both)).isEqualTo("a");
        assertThat(ba.match("h.test", "/p", both)).isEqualTo("b");
    }

    @Test
    void aModelChoosesAmongRoutesSharingAnAddressAndTheRouteWithoutModelsServesTheRest() {
        RouteMatcher<String> matcher = RouteMatcher.<String>builder()
                .add(rule(List.of("h.test"), List.of("/v1")), "plain")
                .add(rule(List.of("h.test"), List.of("/v1")).withModels("a", "a-alias"), "A")
                .add(rule(List.of("h.test"), List.of("/v1")).withModels("b"), "B")
                .add(RouteRule.any().withModels("c"), "C")
                .build();

        assertThat(matcher.needsModel("h.test", "/v1/chat", null)).isTrue();
        assertThat(matcher.match("h.test", "/v1/chat", null, "a")).isEqualTo("A");
        assertThat(matcher.match("h.test", "/v1/chat", null, "a-alias")).isEqualTo("A");
        assertThat(matcher.match("h.test", "/v1/chat", null, "b")).isEqualTo("B");
        assertThat(matcher.match("h.test", "/v1/chat", null, "zzz")).isEqualTo("plain");
        assertThat(matcher.match("h.test", "/v1/chat", null, null)).isEqualTo("plain");
        assertThat(matcher.match("h.test", "/v1/chat", null)).isEqualTo("plain");
        // The plain route on h.test/v1 answers before the less specific any-host tier is tried.
        assertThat(matcher.match("h.test", "/v1/chat", null, "c")).isEqualTo("plain");
        assertThat(matcher.match("h.test", "/other", null, "c")).isEqualTo("C");
        assertThat(matcher.match("other.test", "/", null, "c")).isEqualTo("C");
        assertThat(matcher.match("other.test", "/", null, "a")).isNull();
        assertThat(matcher.needsModel("other.test", "/", null)).isTrue();
        assertThat(matcher.modelConflicts()).isEmpty();
    }

    @Test
    void aDeeperPrefixOrMoreHeaderConditionsWinOverModelsAndRoutesWithoutModelsNeedNoModel() {
        RouteMatcher<String> matcher = RouteMatcher.<String>builder()
                .add(RouteRule.any().withModels("m"), "models")
                .add(rule(List.of(), List.of("/admin")), "admin")
                .add(rule(List.of(), List.of("/"), present("x-debug")), "debug")
                .build();
        assertThat(matcher.needsModel("h.test", "/admin/x", null)).isFalse();
        assertThat(matcher.match("h.test", "/admin/x", null, "m")).isEqualTo("admin");
        assertThat(matcher.needsModel("h.test", "/v1", headers("x-debug=1"))).isFalse();
        assertThat(matcher.match("h.test", "/v1", headers("x-debug=1"), "m")).isEqualTo("debug");
        assertThat(matcher.match("h.test", "/v1", null, "m")).isEqualTo("models");
        assertThat(RouteMatcher.<String>builder().add(RouteRule.any(), "x").build().needsModel("h", "/", null))
                .isFalse();
    }

    @Test
    void aModelClaimedTwiceOnOneAddressIsReportedAndTheFirstClaimKeepsIt() {
        RouteMatcher<String> matcher = RouteMatcher.<String>builder()
                .add(rule(List.of("h.test"), List.of("/")).withModels("m", "n"), "first")
                .add(rule(List.of("h.test", "other.test"), List.of("/")).withModels("n", "o"), "second")
                .build();
        assertThat(matcher.modelConflicts()).containsExactly(new RouteMatcher.ModelConflict(1, "n", 0, "h.test/"));
        assertThat(matcher.match("h.test", "/", null, "n")).isEqualTo("first");
        assertThat(matcher.match("other.test", "/", null, "n")).isEqualTo("second");
        assertThat(matcher.match("h.test", "/", null, "o")).isEqualTo("second");
    }

    @Test
    void rulesWithModelsOnOneAddressMergeIntoOneLookupHoweverManyModels() {
        RouteMatcher.Builder<String> builder = RouteMatcher.builder();
        for (int i = 0; i < 5000; i++) {
            builder.add(RouteRule.any().withModels("model-" + i), "route-" + i);
        }
        RouteMatcher<String> matcher = builder.build();
        HostTable.Entry<String> any = matcher.anyHostForTest();
        assertThat(any.root.entries).hasSize(1); // one entry, one hash lookup: not 5000 entries walked
        assertThat(any.root.entries[0].models).hasSize(5000);
        assertThat(matcher.match("h", "/v1", null, "model-4321")).isEqualTo("route-4321");
    }

    @Test
    void moreHeaderConditionsWinWhateverTheDeclarationOrder() {
        RouteRule plain = rule(List.of("h.test"), List.of("/p"));
        RouteRule one = rule(List.of("h.test"), List.of("/p"), present("x-a"));
        RouteRule two = rule(List.of("h.test"), List.of("/p"), present("x-a"), present("x-b"));
        HttpHeaders both = headers("x-a=1;x-b=1");

        assertThat(RouteMatcher.<String>builder().add(plain, "0").add(one, "1").add(two, "2").build()
                .match("h.test", "/p", both)).isEqualTo("2");
        assertThat(RouteMatcher.<String>builder().add(two, "2").add(one, "1").add(plain, "0").build()
                .match("h.test", "/p", headers("x-a=1"))).isEqualTo("1");
    }

    @Test
    void aRuleWithSeveralHostsAndPrefixesMatchesEachOfThem() {
        RouteMatcher<String> matcher = RouteMatcher.<String>builder()
                .add(new RouteRule(List.of("a.test", "*.b.test"), List.of("/x", "/y/z"), List.of()), "r")
                .build();

        assertThat(matcher.match("a.test", "/x/1", null)).isEqualTo("r");
        assertThat(matcher.match("q.b.test", "/y/z", null)).isEqualTo("r");
        assertThat(matcher.match("a.test", "/y", null)).isNull();
        assertThat(matcher.match("b.test", "/x", null)).isNull();
        assertThat(matcher.size()).isEqualTo(1);
    }

    @Test
    void anyHostWinsOverNothingButLosesToEveryHostPattern() {
        RouteMatcher<String> matcher = RouteMatcher.<String>builder()
                .add(new RouteRule(List.of("*", "a.test"), List.of("/deep/er"), List.of()), "any-deep")
                .add(rule(List.of("a.test"), List.of("/")), "a-root")
                .build();

        // "*" makes the whole rule an any-host rule: it does not become an exact a.test route.
        assertThat(matcher.match("a.test", "/deep/er", null)).isEqualTo("a-root");
        assertThat(matcher.match("b.test", "/deep/er", null)).isEqualTo("any-deep");
    }

    @Test
    void emptyMatcherMatchesNothing() {
        RouteMatcher<String> matcher = RouteMatcher.<String>builder().build();

        assertThat(matcher.match("a.test", "/", null)).isNull();
        assertThat(matcher.size()).isZero();
        assertThat(matcher.conflicts()).isEmpty();
    }

    @Test
    void sizeCountsEntries() {
        assertThat(TABLE.size()).isEqualTo(17);
    }

    @Test
    void identicalEntriesAreReportedAsConflicts() {
        assertThat(TABLE.conflicts()).containsExactly(
                "entries[16] (tie-plain-second) is shadowed by entries[15] (tie-plain-first): same host, "
                        + "path prefix and header conditions, added earlier; it never matches");

        RouteMatcher<String> matcher = RouteMatcher.<String>builder()
                .add(rule(List.of("a.test"), List.of("/p"), present("X-A"), equalTo("x-b", "1")), "first")
                .add(rule(List.of("A.TEST"), List.of("/p/"), equalTo("x-b", "1"), present("x-a")), "same")
                .add(rule(List.of("a.test"), List.of("/p"), equalTo("x-b", "2"), present("x-a")), "other-value")
                .add(rule(List.of("a.test"), List.of("/p"), present("x-b"), present("x-a")), "presence")
                .add(new RouteRule(List.of("a.test", "c.test"), List.of("/p"),
                        List.of(present("x-a"), equalTo("x-b", "1"))), "partly-new")
                .build();

        assertThat(matcher.conflicts()).singleElement().asString()
                .startsWith("entries[1] (same) is shadowed by entries[0] (first)");
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            api.example.com          | api.example.com
            API.Example.COM:8443     | api.example.com
            api.example.com.         | api.example.com
            api.example.com.:443     | api.example.com
            ' Api.Example.com:80 '   | api.example.com
            user@Host.test:1         | host.test
            [::1]:8080               | ::1
            [2001:DB8::1]            | 2001:db8::1
            ::1                      | ::1
            10.0.0.1:9000            | 10.0.0.1
            null                     | ''
            ''                       | ''
            '   '                    | ''
            [::1                     | ''
            """)
    void normalizeHost(String raw, String expected) {
        assertThat(RouteMatcher.normalizeHost(raw)).isEqualTo(expected);
    }

    @Test
    void lookupDoesNotAllocate() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        HttpHeaders headers = headers("x-model=mistral;x-tier=basic");
        String[][] requests = {
                {"API.example.com:8443", "/api/v1/chat?stream=true"},
                {"gpu.example.com", "/v1/chat"},
                {"a.b.internal.example.com.", "/v1"},
                {"unknown.test", "/healthz/live"},
                {"[::1]:8080", "/"},
        };
        for (int i = 0; i < 20_000; i++) { // warm up, so that class loading is not counted
            String[] request = requests[i % requests.length];
            TABLE.match(request[0], request[1], headers);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        int found = 0;
        for (int i = 0; i < 100_000; i++) {
            String[] request = requests[i % requests.length];
            if (TABLE.match(request[0], request[1], headers) != null) {
                found++;
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(found).isEqualTo(100_000);
        assertThat(allocated).as("bytes allocated by 100,000 lookups").isLessThan(10_000);
    }

    @Test
    void lookupStaysCorrectWithManyRoutes() {
        RouteMatcher.Builder<String> builder = RouteMatcher.builder();
        for (int i = 0; i < 20_000; i++) {
            builder.add(rule(List.of("h" + i + ".test"), List.of("/m/" + i)), "exact-" + i);
            builder.add(rule(List.of("*.w" + i + ".test"), List.of("/")), "wild-" + i);
        }
        RouteMatcher<String> matcher = builder.build();

        assertThat(matcher.match("H12345.test", "/m/12345/x", null)).isEqualTo("exact-12345");
        assertThat(matcher.match("h12345.test", "/m/12346", null)).isNull();
        assertThat(matcher.match("a.W777.test", "/m", null)).isEqualTo("wild-777");
        assertThat(matcher.size()).isEqualTo(40_000);
        assertThat(matcher.conflicts()).isEmpty();
    }

    /** "a=1;b=2;a=3": one header line per pair; "a=" is an empty value. */
    static HttpHeaders headers(String spec) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (spec != null) {
            for (String pair : spec.split(";")) {
                int eq = pair.indexOf('=');
                headers.add(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return headers;
    }
}
