package io.wakegate.interceptor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hold.streamKeepAlive}, {@code hold.waitingPage} and {@code hold.failover} as read from a
 * file: their defaults, and problems that name the file, the field path and the reason.
 */
class HoldOptionsConfigTest {

    private static final String ROUTE = """
            routes:
              - name: chat
                backend:
                  static:
                    urls: [http://127.0.0.1:8000]
                hold:
            """;

    /** The environment {@code ${NAME}} references expand from here; nothing else is set. */
    private static final Map<String, String> ENV = Map.of("SMALL_MODEL_KEY", "sk-small");

    @TempDir
    Path dir;

    /** The route's {@code hold} section as given ({@code hold} indented as the route's field). */
    private static String hold(String body) {
        return ROUTE + body.indent(6);
    }

    private HoldConfig parse(String holdBody) throws ConfigException {
        return ConfigLoader.parse(hold(holdBody), "wakegate.yaml", dir, ENV).route("chat").hold();
    }

    private List<String> problems(String holdBody) {
        return catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(hold(holdBody), "wakegate.yaml", dir, ENV)).problems();
    }

    // ---- defaults ----

    @Test
    void eachOptionIsOffUnlessSet() throws Exception {
        assertThat(parse("coldStartTimeout: 1m")).isEqualTo(new HoldConfig(Duration.ofMinutes(1), 1000));
        HoldConfig hold = parse("coldStartTimeout: 1m");
        assertThat(hold.streamKeepAlive()).isNull();
        assertThat(hold.waitingPage()).isNull();
        assertThat(hold.failover()).isNull();
    }

    @Test
    void anEmptyOrMinimalOptionHasItsDocumentedDefaults() throws Exception {
        HoldConfig hold = parse("""
                streamKeepAlive: {}
                waitingPage: {}
                failover: {url: "http://small.models:8000/"}
                """);
        assertThat(hold).isEqualTo(new HoldConfig(Duration.ofMinutes(10), 1000,
                new StreamKeepAliveConfig(Duration.ofSeconds(5), Duration.ofSeconds(10)),
                new WaitingPageConfig(Duration.ZERO, null, null),
                new FailoverConfig(URI.create("http://small.models:8000"), null, true, Map.of())));
        assertThat(hold.failover().onQueueFull()).isTrue();
        assertThat(hold.waitingPage().after()).isZero();
    }

    @Test
    void readsEveryFieldTheTemplateRelativeToTheConfigurationAndHeadersExpanded() throws Exception {
        Path pages = Files.createDirectories(dir.resolve("pages"));
        Files.writeString(pages.resolve("waking.html"), "<p>{{route}} wakes</p>");
        HoldConfig hold = parse("""
                coldStartTimeout: 3m
                streamKeepAlive: {after: 2s, interval: 15s}
                waitingPage: {after: 1s, refresh: 3s, template: pages/waking.html}
                failover:
                  url: http://127.0.0.1:9000
                  after: 30s
                  onQueueFull: false
                  headers: {Authorization: "Bearer ${SMALL_MODEL_KEY}", X-Cost: "$$0"}
                """);
        assertThat(hold.streamKeepAlive()).isEqualTo(new StreamKeepAliveConfig(Duration.ofSeconds(2),
                Duration.ofSeconds(15)));
        assertThat(hold.waitingPage()).isEqualTo(new WaitingPageConfig(Duration.ofSeconds(1), Duration.ofSeconds(3),
                "<p>{{route}} wakes</p>"));
        assertThat(hold.failover()).isEqualTo(new FailoverConfig(URI.create("http://127.0.0.1:9000"),
                Duration.ofSeconds(30), false, Map.of("Authorization", "Bearer sk-small", "X-Cost", "$0")));
    }

    @Test
    void aTemplateOfExactly64KiBIsAccepted() throws Exception {
        Files.write(dir.resolve("big.html"), new byte[WaitingPageConfig.MAX_TEMPLATE_BYTES]);
        assertThat(parse("waitingPage: {template: big.html}").waitingPage().template())
                .hasSize(WaitingPageConfig.MAX_TEMPLATE_BYTES);
    }

    // ---- problems: file, field path, reason ----

    @Test
    void aKeepAliveMustStartBeforeTheColdStartTimeoutAndTickAtAPositiveInterval() {
        assertThat(problems("""
                coldStartTimeout: 30s
                streamKeepAlive: {after: 30s}
                """)).containsExactly("wakegate.yaml: routes[0].hold.streamKeepAlive.after: 30s"
                + " (expected: below hold.coldStartTimeout, 30s)");
        // The default "after" (5s) counts too.
        assertThat(problems("""
                coldStartTimeout: 5s
                streamKeepAlive: {}
                """)).containsExactly("wakegate.yaml: routes[0].hold.streamKeepAlive.after: 5s"
                + " (expected: below hold.coldStartTimeout, 5s)");
        assertThat(problems("streamKeepAlive: {interval: 0s}")).containsExactly(
                "wakegate.yaml: routes[0].hold.streamKeepAlive.interval: 0s (expected: a duration > 0, e.g. 30s)");
        assertThat(problems("streamKeepAlive: {after: 0s}")).containsExactly(
                "wakegate.yaml: routes[0].hold.streamKeepAlive.after: 0s (expected: a duration > 0, e.g. 30s)");
    }

    @Test
    void aMissingTemplateNamesTheFileItWasLookedForRelativeToTheConfiguration() throws Exception {
        Path file = dir.resolve("conf").resolve("wakegate.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, hold("waitingPage: {template: pages/missing.html}"));
        Path resolved = file.getParent().resolve("pages/missing.html");

        List<String> problems = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file)).problems();
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0))
                .startsWith(file + ": routes[0].hold.waitingPage.template: " + resolved + " cannot be read: ")
                .contains("NoSuchFileException")
                .endsWith("(expected: a readable HTML file)");
    }

    @Test
    void aTemplateOver64KiBIsRefused() throws Exception {
        Files.write(dir.resolve("big.html"), "x".repeat(WaitingPageConfig.MAX_TEMPLATE_BYTES + 1)
                .getBytes(StandardCharsets.UTF_8));
        assertThat(problems("waitingPage: {template: big.html}")).containsExactly(
                "wakegate.yaml: routes[0].hold.waitingPage.template: " + dir.resolve("big.html") + " has 65537 bytes"
                        + " (expected: an HTML file of at most 65536 bytes)");
    }

    @Test
    void aWaitingPageRefreshMustBePositive() {
        assertThat(problems("waitingPage: {refresh: 0s}")).containsExactly(
                "wakegate.yaml: routes[0].hold.waitingPage.refresh: 0s (expected: a duration > 0, e.g. 30s)");
    }

    @Test
    void aFailoverUrlIsAPlainHttpBaseUrl() {
        assertThat(problems("failover: {url: \"https://api.openai.com\"}")).containsExactly(
                "wakegate.yaml: routes[0].hold.failover.url: https://api.openai.com"
                        + " (expected: an http:// URL with host and port)");
        assertThat(problems("failover: {url: \"http://small:8000/v1\"}")).containsExactly(
                "wakegate.yaml: routes[0].hold.failover.url: http://small:8000/v1"
                        + " (expected: an http:// URL with host and port, without path, query or fragment)");
        assertThat(problems("failover: {after: 1s}")).containsExactly(
                "wakegate.yaml: routes[0].hold.failover.url: missing (expected: an http:// URL with host and port)");
    }

    @Test
    void aFailoverNeedsATimeOrTheFullQueueAndFailsOverBeforeTheColdStartTimeout() {
        assertThat(problems("failover: {url: \"http://small:8000\", onQueueFull: false}")).containsExactly(
                "wakegate.yaml: routes[0].hold.failover.onQueueFull: false and no after is set"
                        + " (expected: a time held before failing over, onQueueFull: true, or both)");
        assertThat(problems("""
                coldStartTimeout: 1m
                failover: {url: "http://small:8000", after: 1m}
                """)).containsExactly("wakegate.yaml: routes[0].hold.failover.after: 1m"
                + " (expected: below hold.coldStartTimeout, 1m)");
        assertThat(problems("failover: {url: \"http://small:8000\", after: 0s}")).containsExactly(
                "wakegate.yaml: routes[0].hold.failover.after: 0s (expected: a duration > 0, e.g. 30s)");
    }

    @Test
    void failoverHeadersNeedValidNamesAndSetVariables() {
        assertThat(problems("""
                failover:
                  url: http://small:8000
                  headers: {"Bad Header": x}
                """)).containsExactly("wakegate.yaml: routes[0].hold.failover.headers.Bad Header: 'Bad Header'"
                + " (expected: an HTTP header name)");
        assertThat(problems("""
                failover:
                  url: http://small:8000
                  headers: {Authorization: "Bearer ${UNSET_VAR}"}
                """)).containsExactly("wakegate.yaml: routes[0].hold.failover.headers.Authorization:"
                + " 'Bearer ${UNSET_VAR}': ${UNSET_VAR} is not set (expected: a variable of Wakegate's environment,"
                + " WAKEGATE_JAVA or WAKEGATE_CLASSPATH)");
        assertThat(problems("""
                failover:
                  url: http://small:8000
                  headers: {X-Empty: }
                """)).containsExactly("wakegate.yaml: routes[0].hold.failover.headers.X-Empty:"
                + " missing (expected: a header value)");
    }

    /**
     * A value that cannot go on the wire — here a secret with a line break, as a variable read
     * from a file may carry — is a problem of the file, not of the first request that fails over.
     */
    @Test
    void aFailoverHeaderValueWithALineBreakIsRefused() {
        Throwable thrown = catchThrowable(() -> ConfigLoader.parse(hold("""
                failover:
                  url: http://small:8000
                  headers: {Authorization: "Bearer ${KEY}"}
                """), "wakegate.yaml", dir, Map.of("KEY", "sk-small\n")));
        assertThat(thrown).as("loading a header value with a line break").isInstanceOf(ConfigException.class);
        assertThat(((ConfigException) thrown).problems()).singleElement(STRING)
                .startsWith("wakegate.yaml: routes[0].hold.failover.headers.Authorization: ");
    }

    @Test
    void everyProblemOfTheHoldSectionIsReportedTogether() {
        assertThat(problems("""
                coldStartTimeout: 10s
                streamKeepAlive: {after: 20s, interval: 0s}
                waitingPage: {template: none.html}
                failover: {url: "https://x:443", onQueueFull: false, headers: {"a b": c}}
                """)).satisfiesExactly(
                        p -> assertThat(p).isEqualTo("wakegate.yaml: routes[0].hold.streamKeepAlive.interval: 0s"
                                + " (expected: a duration > 0, e.g. 30s)"),
                        p -> assertThat(p).startsWith("wakegate.yaml: routes[0].hold.waitingPage.template: "
                                + dir.resolve("none.html") + " cannot be read: "),
                        p -> assertThat(p).isEqualTo("wakegate.yaml: routes[0].hold.failover.url: https://x:443"
                                + " (expected: an http:// URL with host and port)"),
                        p -> assertThat(p).isEqualTo("wakegate.yaml: routes[0].hold.failover.onQueueFull: false"
                                + " and no after is set (expected: a time held before failing over, onQueueFull: true,"
                                + " or both)"),
                        p -> assertThat(p).isEqualTo("wakegate.yaml: routes[0].hold.failover.headers.a b: 'a b'"
                                + " (expected: an HTTP header name)"));
    }
}
