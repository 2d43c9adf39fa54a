package io.wakegate.interceptor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String MINIMAL_ROUTE = """
            routes:
              - name: chat
                backend:
                  static:
                    urls: [http://127.0.0.1:8000]
            """;

    private static WakegateConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "wakegate.yaml");
    }

    private static List<String> problems(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml)).problems();
    }

    @Test
    void anEmptyFileIsEveryDefaultAndNoRoutes() throws Exception {
        assertThat(parse("")).isEqualTo(WakegateConfig.defaults());
        assertThat(parse("# nothing configured yet\n")).isEqualTo(WakegateConfig.defaults());
        assertThat(parse("routes: []\n").routes()).isEmpty();
    }

    @Test
    void everySectionHasItsDocumentedDefaults() throws Exception {
        WakegateConfig config = parse("server: {}\nlimits: {}\nforwarding: {}\nshutdown: {}\n");
        assertThat(config.server()).isEqualTo(new ServerConfig("0.0.0.0", 8080, "127.0.0.1", 9090));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(8 * 1024, 16 * 1024, 64L * 1024 * 1024,
                Duration.ofSeconds(10), Duration.ofSeconds(60), 10_000));
        assertThat(config.forwarding()).isEqualTo(new ForwardingConfig(Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofSeconds(4), 64, Duration.ofMinutes(10)));
        assertThat(config.shutdown()).isEqualTo(new ShutdownConfig(Duration.ofSeconds(5), Duration.ofSeconds(30)));
        assertThat(config).isEqualTo(WakegateConfig.defaults());
    }

    @Test
    void aMinimalRouteHasItsDocumentedDefaults() throws Exception {
        RouteConfig route = parse(MINIMAL_ROUTE).route("chat");
        assertThat(route.match()).isEqualTo(new MatchConfig(List.of(), List.of(), List.of()));
        assertThat(route.hold()).isEqualTo(new HoldConfig(Duration.ofMinutes(10), 1000));
        assertThat(route.maxConcurrencyPerEndpoint()).isZero();
        assertThat(route.responseHeaderTimeout()).isNull();
        assertThat(route.responseHeaderTimeout(ForwardingConfig.defaults())).isEqualTo(Duration.ofMinutes(5));
        assertThat(route.backend().kind()).isEqualTo("static");
        StaticBackendConfig backend = route.backend().staticBackend();
        assertThat(backend.urls()).containsExactly(URI.create("http://127.0.0.1:8000"));
        assertThat(backend.healthCheck()).isEqualTo(new HealthCheckConfig(null, Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThat(backend.healthCheck().tcp()).isTrue();
    }

    @Test
    void readsEveryFieldAndSyntax() throws Exception {
        WakegateConfig config = parse("""
                server: {bindAddress: 127.0.0.1, port: 0, adminBindAddress: 127.0.0.2, adminPort: 0}
                limits:
                  maxInitialLineLength: 4KiB
                  maxHeaderSize: 32000
                  maxRequestBodySize: 1GB
                  requestHeaderTimeout: 500ms
                  idleTimeout: 2h
                  maxPendingRequestsTotal: "50"
                forwarding: {connectTimeout: 1s, responseHeaderTimeout: 15m, backendIdleTimeout: 90s,
                             maxIdleConnectionsPerEndpoint: 8}
                shutdown: {readinessDelay: 1ms, drainTimeout: 1m}
                routes:
                  - name: team-a/llama
                    match:
                      hosts: ["llama.example.com", "*.example.org"]
                      pathPrefixes: [/v1/]
                      headers: [{name: X-Model, value: llama}, {name: Authorization}]
                    backend:
                      static:
                        urls: [http://LOCALHOST, "http://[::1]:8001/"]
                        healthCheck: {path: /health, interval: 5s, timeout: 3s}
                    hold: {coldStartTimeout: 20m, maxPendingRequests: 5}
                    maxConcurrencyPerEndpoint: 4
                    responseHeaderTimeout: 30m
                """);
        assertThat(config.server()).isEqualTo(new ServerConfig("127.0.0.1", 0, "127.0.0.2", 0));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(4096, 32000, 1_000_000_000L,
                Duration.ofMillis(500), Duration.ofHours(2), 50));
        assertThat(config.forwarding()).isEqualTo(new ForwardingConfig(Duration.ofSeconds(1), Duration.ofMinutes(15),
                Duration.ofSeconds(90), 8));
        assertThat(config.shutdown()).isEqualTo(new ShutdownConfig(Duration.ofMillis(1), Duration.ofMinutes(1)));
        RouteConfig route = config.routes().get(0);
        assertThat(route.name()).isEqualTo("team-a/llama");
        assertThat(route.match()).isEqualTo(new MatchConfig(List.of("llama.example.com", "*.example.org"),
                List.of("/v1/"), List.of(new HeaderMatchConfig("X-Model", "llama"),
                new HeaderMatchConfig("Authorization", null))));
        assertThat(route.backend().staticBackend()).isEqualTo(new StaticBackendConfig(
                List.of(URI.create("http://localhost:80"), URI.create("http://[::1]:8001")),
                new HealthCheckConfig("/health", Duration.ofSeconds(5), Duration.ofSeconds(3))));
        assertThat(route.hold()).isEqualTo(new HoldConfig(Duration.ofMinutes(20), 5));
        assertThat(route.maxConcurrencyPerEndpoint()).isEqualTo(4);
        assertThat(route.responseHeaderTimeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void aBadDurationNamesFilePathAndReason() {
        assertThat(problems(MINIMAL_ROUTE + "    hold: {coldStartTimeout: 10x}\n")).containsExactly(
                "wakegate.yaml: routes[0].hold.coldStartTimeout: '10x' is not a duration"
                        + " (expected: a number with unit ms, s, m or h, e.g. 30s)");
        assertThat(problems("shutdown: {drainTimeout: 30}\n")).containsExactly(
                "wakegate.yaml: shutdown.drainTimeout: 30 has no unit (expected: a number with unit ms, s, m or h, e.g. 30s)");
    }

    @Test
    void upgradesAreProtocolNamesInAnyCase() throws Exception {
        assertThat(parse("forwarding: {upgrades: [WebSocket, x-proto/2]}\n").forwarding().upgrades())
                .containsExactly("websocket", "x-proto/2");
        assertThat(problems("forwarding: {upgrades: [websocket, 'h2c, x']}\n")).containsExactly(
                "wakegate.yaml: forwarding.upgrades[1]: 'h2c, x' (expected: a protocol name such as websocket)");
    }

    @Test
    void aBadUrlNamesItsIndex() {
        assertThat(problems(MINIMAL_ROUTE.replace("http://127.0.0.1:8000", "http://127.0.0.1:8000, ftp://x")))
                .containsExactly("wakegate.yaml: routes[0].backend.static.urls[1]: ftp://x"
                        + " (expected: an http:// URL with host and port)");
        assertThat(problems(MINIMAL_ROUTE.replace("http://127.0.0.1:8000", "'http://h:1/v1', 'https://h', 'http://h:1'")))
                .containsExactly(
                        "wakegate.yaml: routes[0].backend.static.urls[0]: http://h:1/v1"
                                + " (expected: an http:// URL with host and port, without path, query or fragment)",
                        "wakegate.yaml: routes[0].backend.static.urls[1]: https://h (expected: an http:// URL with host and port)");
        assertThat(problems(MINIMAL_ROUTE.replace("[http://127.0.0.1:8000]", "[]"))).containsExactly(
                "wakegate.yaml: routes[0].backend.static.urls: empty"
                        + " (expected: a list of at least one http:// URL with host and port)");
    }

    @Test
    void anUnknownFieldNamesItsPathAndTheKnownFields() {
        assertThat(problems(MINIMAL_ROUTE + "    hold: {coldStart: 5m}\n")).containsExactly(
                "wakegate.yaml: routes[0].hold.coldStart: unknown field (known fields: coldStartTimeout, maxPendingRequests, streamKeepAlive, waitingPage, failover)");
        assertThat(problems("sever: {port: 1}\n")).containsExactly(
                "wakegate.yaml: sever: unknown field (known fields: server, limits, forwarding, shutdown, routes, scaler, kubernetes)");
        assertThat(problems(MINIMAL_ROUTE.replace("static:", "container:"))).containsExactly(
                "wakegate.yaml: routes[0].backend.container: unknown field (known fields: static, process, kubernetes)",
                "wakegate.yaml: routes[0].backend: no backend kind set (expected: exactly one of static, process, kubernetes)");
    }

    @Test
    void aYamlSyntaxErrorHasLineAndColumn() {
        assertThat(problems("server:\n  port: 1\n bindAddress: x\n")).containsExactly(
                "wakegate.yaml: line 3, column 2: invalid YAML: expected <block end>, but found"
                        + " '<block mapping start>' (while parsing a block mapping)");
        assertThat(problems("server: {port: 1\n")).singleElement().asString()
                .startsWith("wakegate.yaml: line 2, column 1: invalid YAML: ");
        assertThat(problems("a: b\n---\nc: d\n")).contains(
                "wakegate.yaml: line 3, column 1: a second YAML document (expected: a single document)");
    }

    @Test
    void aDuplicateKeyIsAnError() {
        assertThat(problems("server:\n  port: 1\n  port: 2\n")).containsExactly(
                "wakegate.yaml: server.port: line 3, column 7: duplicate field");
    }

    @Test
    void wrongTypesNameTheExpectedType() {
        assertThat(problems("""
                server: {port: abc, adminPort: 80.5, bindAddress: [x]}
                limits: 5
                routes:
                  name: x
                """)).containsExactly(
                "wakegate.yaml: server.port: 'abc' (expected: an integer)",
                "wakegate.yaml: server.adminPort: 80.5 (expected: an integer)",
                "wakegate.yaml: server.bindAddress: a list (expected: a string)",
                "wakegate.yaml: limits: 5 (expected: a mapping)",
                "wakegate.yaml: routes: a mapping (expected: a list)");
        assertThat(problems(MINIMAL_ROUTE + "    match: {hosts: x}\n")).containsExactly(
                "wakegate.yaml: routes[0].match.hosts: 'x' (expected: a list)");
        assertThat(problems("- a\n")).containsExactly("wakegate.yaml: the document is a list"
                + " (expected: a mapping with server, limits, forwarding, shutdown, routes)");
    }

    @Test
    void collectsEveryProblemInOneReport() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse("""
                server: {port: 70000, adminPort: 9090}
                limits: {maxHeaderSize: 0, maxInitialLineLength: 3GiB, idleTimeout: 0s}
                forwarding: {maxIdleConnectionsPerEndpoint: 0, connectTimeout: 1y}
                routes:
                  - name: "bad name"
                    match: {hosts: [" "], pathPrefixes: [v1], headers: [{name: "a b"}, {value: x}]}
                    backend: {static: {urls: [http://a:1, http://A:1], healthCheck: {path: health, interval: 0ms}}}
                    hold: {maxPendingRequests: 0}
                    maxConcurrencyPerEndpoint: -1
                  - null
                  - backend: {}
                """));
        assertThat(e.problems()).containsExactly(
                "wakegate.yaml: forwarding.connectTimeout: '1y' is not a duration (expected: a number with unit ms, s, m or h, e.g. 30s)",
                "wakegate.yaml: server.port: 70000 (expected: a port 0..65535, 0 = any free port)",
                "wakegate.yaml: limits.maxInitialLineLength: 3GiB (expected: a size of at most 2147483647 bytes)",
                "wakegate.yaml: limits.maxHeaderSize: 0 (expected: a size > 0, e.g. 16KiB)",
                "wakegate.yaml: limits.idleTimeout: 0s (expected: a duration > 0, e.g. 30s)",
                "wakegate.yaml: forwarding.maxIdleConnectionsPerEndpoint: 0 (expected: an integer 1..2147483647)",
                "wakegate.yaml: routes[0].name: 'bad name' (expected: a route name matching [A-Za-z0-9._/-]+)",
                "wakegate.yaml: routes[0].match.hosts[0]: ' ' (expected: a host pattern, not blank)",
                "wakegate.yaml: routes[0].match.pathPrefixes[0]: 'v1' (expected: a path prefix starting with '/')",
                "wakegate.yaml: routes[0].match.headers[0].name: 'a b' (expected: an HTTP header name)",
                "wakegate.yaml: routes[0].match.headers[1].name: missing (expected: an HTTP header name)",
                "wakegate.yaml: routes[0].backend.static.urls[1]: http://a:1 is the same as urls[0] (expected: distinct URLs)",
                "wakegate.yaml: routes[0].backend.static.healthCheck.path: 'health'"
                        + " (expected: a path starting with '/', or no path for a TCP connect check)",
                "wakegate.yaml: routes[0].backend.static.healthCheck.interval: 0s (expected: a duration > 0, e.g. 30s)",
                "wakegate.yaml: routes[0].hold.maxPendingRequests: 0 (expected: an integer 1..2147483647)",
                "wakegate.yaml: routes[0].maxConcurrencyPerEndpoint: -1 (expected: an integer 0..2147483647, 0 = unlimited)",
                "wakegate.yaml: routes[1]: missing (expected: a route: a mapping with name and backend)",
                "wakegate.yaml: routes[2].name: missing (expected: a route name matching [A-Za-z0-9._/-]+)",
                "wakegate.yaml: routes[2].backend: no backend kind set (expected: exactly one of static, process, kubernetes)");
        assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
        assertThat(e.source()).isEqualTo("wakegate.yaml");
    }

    @Test
    void routeNamesMustBeUnique() {
        assertThat(problems(MINIMAL_ROUTE + MINIMAL_ROUTE.replace("routes:\n", "") + MINIMAL_ROUTE.replace("routes:\n", "")))
                .containsExactly(
                        "wakegate.yaml: routes[1].name: 'chat' is already the name of routes[0] (expected: unique route names)",
                        "wakegate.yaml: routes[2].name: 'chat' is already the name of routes[0] (expected: unique route names)");
        assertThatThrownBy(() -> {
            RouteConfig route = parse(MINIMAL_ROUTE).routes().get(0);
            new WakegateConfig(ServerConfig.defaults(), LimitsConfig.defaults(), ForwardingConfig.defaults(),
                    ShutdownConfig.defaults(), List.of(route, route));
        }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("routes[1].name: 'chat' is already");
    }

    @Test
    void aBackendNeedsExactlyOneKind() {
        assertThat(problems(MINIMAL_ROUTE.replace("""
                    backend:
                      static:
                        urls: [http://127.0.0.1:8000]
                """, "    backend: {}\n"))).containsExactly(
                "wakegate.yaml: routes[0].backend: no backend kind set (expected: exactly one of static, process, kubernetes)");
        assertThat(problems("routes: [{name: a}]\n")).containsExactly(
                "wakegate.yaml: routes[0].backend: missing (expected: a mapping with exactly one of static, process, kubernetes)");
        assertThatThrownBy(() -> new BackendConfig(null, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backend: no backend kind set (expected: exactly one of static, process, kubernetes)");
    }

    @Test
    void portsMayBothBeZeroButNotEqualOtherwise() throws Exception {
        assertThat(parse("server: {port: 0, adminPort: 0}\n").server().port()).isZero();
        assertThat(problems("server: {port: 9090}\n")).containsExactly(
                "wakegate.yaml: server.adminPort: 9090 (expected: different from server.port)");
    }

    @Test
    void loadNamesTheFileAsGiven(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wakegate.yaml");
        Files.writeString(file, "server: {port: -1}\n");
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": server.port: -1 (expected: a port 0..65535, 0 = any free port)");
        Files.writeString(file, MINIMAL_ROUTE);
        assertThat(ConfigLoader.load(file).routes()).hasSize(1);
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(dir.resolve("missing.yaml") + ": cannot read the file: ");
    }

    @Test
    void recordsValidateWhenBuiltByHand() {
        assertThatThrownBy(() -> new ServerConfig("0.0.0.0", 70000, "0.0.0.0", 9090))
                .hasMessage("port: 70000 (expected: a port 0..65535, 0 = any free port)");
        assertThatThrownBy(() -> new HoldConfig(Duration.ZERO, 1))
                .hasMessage("coldStartTimeout: 0s (expected: a duration > 0, e.g. 30s)");
        assertThatThrownBy(() -> new StaticBackendConfig(List.of(URI.create("ftp://x")), HealthCheckConfig.defaults()))
                .hasMessage("urls: ftp://x (expected: an http:// URL with host and port)");
        assertThat(new StaticBackendConfig(List.of(URI.create("http://x")), HealthCheckConfig.defaults()).urls())
                .containsExactly(URI.create("http://x:80"));
    }

    /** The raw YAML classes must offer exactly the keys of the public records. */
    @Test
    void rawFieldsMatchRecordComponents() {
        assertSameKeys(RawConfig.class, WakegateConfig.class);
        // The one renamed key: the file's contents (or WAKEGATE_ADMIN_TOKEN) become adminToken.
        assertThat(Arrays.stream(RawConfig.Server.class.getDeclaredFields()).map(f -> f.getName()).toList())
                .containsExactlyElementsOf(Arrays.stream(ServerConfig.class.getRecordComponents())
                        .map(c -> c.getName().equals("adminToken") ? "adminTokenFile" : c.getName()).toList());
        assertSameKeys(RawConfig.Limits.class, LimitsConfig.class);
        assertSameKeys(RawConfig.Forwarding.class, ForwardingConfig.class);
        assertSameKeys(RawConfig.Shutdown.class, ShutdownConfig.class);
        assertSameKeys(RawConfig.Route.class, RouteConfig.class);
        assertSameKeys(RawConfig.Match.class, MatchConfig.class);
        assertSameKeys(RawConfig.HeaderMatch.class, HeaderMatchConfig.class);
        assertSameKeys(RawConfig.Backend.class, BackendConfig.class);
        assertSameKeys(RawConfig.StaticBackend.class, StaticBackendConfig.class);
        assertSameKeys(RawConfig.HealthCheck.class, HealthCheckConfig.class);
        assertSameKeys(RawConfig.Hold.class, HoldConfig.class);
        assertThat(Arrays.stream(RawConfig.Backend.class.getDeclaredFields()).map(YamlBinding::yamlKey))
                .containsExactlyElementsOf(BackendConfig.KINDS);
    }

    private static void assertSameKeys(Class<?> raw, Class<? extends Record> record) {
        assertThat(Arrays.stream(raw.getDeclaredFields()).map(f -> f.getName()).toList())
                .as(raw.getSimpleName())
                .containsExactlyElementsOf(Arrays.stream(record.getRecordComponents()).map(c -> c.getName()).toList());
    }
}
