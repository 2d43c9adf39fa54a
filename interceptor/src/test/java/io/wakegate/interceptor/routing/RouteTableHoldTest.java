package io.wakegate.interceptor.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wakegate.interceptor.config.ConfigLoader;
import io.wakegate.interceptor.config.HoldConfig;
import io.wakegate.interceptor.config.WaitingPageConfig;
import io.wakegate.proto.routes.Failover;
import io.wakegate.proto.routes.ForwardTo;
import io.wakegate.proto.routes.Hold;
import io.wakegate.proto.routes.KubernetesBackend;
import io.wakegate.proto.routes.Match;
import io.wakegate.proto.routes.Route;
import io.wakegate.proto.routes.RouteTable;
import io.wakegate.proto.routes.StreamKeepAlive;
import io.wakegate.proto.routes.WaitingPage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes route table's {@code Hold} (the controller's ConfigMap, {@code wakegate/routes.proto})
 * converted by {@link ConfigMapRouteTable#toRouteConfigs}: its keep-alive, waiting page and failover
 * become the same {@link HoldConfig} as the equivalent YAML, and a bad value rejects the table
 * with the route and the field named.
 */
class RouteTableHoldTest {

    private static final String TEMPLATE = "<p>{{route}} wakes, back in {{retryAfterSeconds}} s</p>";

    @TempDir
    Path dir;

    private static Route route(String name, Hold.Builder hold) {
        return Route.newBuilder().setName(name).setMatch(Match.newBuilder().addPathPrefixes("/" + name))
                .setBackend(KubernetesBackend.newBuilder().setNamespace("models").setService(name)
                        .setPortNumber(8000).setForwardTo(ForwardTo.FORWARD_TO_PODS))
                .setHold(hold).build();
    }

    private static HoldConfig converted(Hold.Builder hold) {
        return ConfigMapRouteTable.toRouteConfigs(RouteTable.newBuilder().setVersion(1)
                .addRoutes(route("llama", hold)).build()).get(0).hold();
    }

    private static void assertRejected(Hold.Builder hold, String message) {
        RouteTable table = RouteTable.newBuilder().setVersion(1).addRoutes(route("ok", Hold.newBuilder()))
                .addRoutes(route("llama", hold)).build();
        assertThatThrownBy(() -> ConfigMapRouteTable.toRouteConfigs(table))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    /** The hold of a YAML route with {@code holdBody} as its {@code hold} section; files relative to {@link #dir}. */
    private HoldConfig fromYaml(String holdBody) throws Exception {
        return ConfigLoader.parse("""
                routes:
                  - name: llama
                    backend: {static: {urls: [http://127.0.0.1:8000]}}
                    hold:
                """ + holdBody.indent(6), "wakegate.yaml", dir, Map.of()).route("llama").hold();
    }

    @Test
    void aHoldWithAllThreeConvertsToTheHoldConfigOfTheSameYaml() throws Exception {
        Files.writeString(dir.resolve("page.html"), TEMPLATE);
        HoldConfig table = converted(Hold.newBuilder().setColdStartTimeoutMs(180_000).setMaxPendingRequests(50)
                .setStreamKeepAlive(StreamKeepAlive.newBuilder().setAfterMs(2_000).setIntervalMs(15_000))
                .setWaitingPage(WaitingPage.newBuilder().setAfterMs(1_000).setRefreshMs(3_000).setTemplate(TEMPLATE))
                .setFailover(Failover.newBuilder().setUrl("http://small.models.svc:8000").setAfterMs(30_000)
                        .setOnQueueFull(true)));
        assertThat(table).isEqualTo(fromYaml("""
                coldStartTimeout: 3m
                maxPendingRequests: 50
                streamKeepAlive: {after: 2s, interval: 15s}
                waitingPage: {after: 1s, refresh: 3s, template: page.html}
                failover: {url: "http://small.models.svc:8000", after: 30s}
                """));
        assertThat(table.failover().headers()).isEmpty();
    }

    @Test
    void emptySubMessagesHaveTheDefaultsOfEmptyYamlSections() throws Exception {
        HoldConfig table = converted(Hold.newBuilder()
                .setStreamKeepAlive(StreamKeepAlive.getDefaultInstance())
                .setWaitingPage(WaitingPage.getDefaultInstance())
                .setFailover(Failover.newBuilder().setUrl("http://small.models.svc:8000").setOnQueueFull(true)));
        assertThat(table).isEqualTo(fromYaml("""
                streamKeepAlive: {}
                waitingPage: {}
                failover: {url: "http://small.models.svc:8000"}
                """));
        assertThat(table.waitingPage()).isEqualTo(new WaitingPageConfig(java.time.Duration.ZERO, null, null));
        assertThat(table.failover().after()).isNull();
    }

    @Test
    void absentSubMessagesAreOff() throws Exception {
        HoldConfig table = converted(Hold.newBuilder().setColdStartTimeoutMs(60_000).setMaxPendingRequests(100));
        assertThat(table.streamKeepAlive()).isNull();
        assertThat(table.waitingPage()).isNull();
        assertThat(table.failover()).isNull();
        assertThat(table).isEqualTo(fromYaml("{coldStartTimeout: 1m, maxPendingRequests: 100}"));
    }

    @Test
    void aBadFailoverUrlRejectsTheTableNamingTheRouteAndTheField() {
        assertRejected(Hold.newBuilder().setFailover(Failover.newBuilder().setUrl("https://api.openai.com")
                        .setOnQueueFull(true)),
                "routes[1] (llama): hold.failover.url: https://api.openai.com"
                        + " (expected: an http:// URL with host and port)");
        assertRejected(Hold.newBuilder().setFailover(Failover.newBuilder().setUrl("http://small:8000/v1")
                        .setOnQueueFull(true)),
                "routes[1] (llama): hold.failover.url: http://small:8000/v1"
                        + " (expected: an http:// URL with host and port, without path, query or fragment)");
        // No URL at all (proto3's empty string): refused too.
        assertThatThrownBy(() -> converted(Hold.newBuilder().setFailover(Failover.newBuilder().setAfterMs(1_000))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("routes[0] (llama): hold.failover.url: ")
                .hasMessageEndingWith("(expected: an http:// URL with host and port)");
    }

    @Test
    void aTemplateOver64KiBRejectsTheTable() {
        assertRejected(Hold.newBuilder().setWaitingPage(WaitingPage.newBuilder()
                        .setTemplate("x".repeat(WaitingPageConfig.MAX_TEMPLATE_BYTES + 1))),
                "routes[1] (llama): hold.waitingPage.template: 65537 bytes (expected: at most 65536 bytes of UTF-8)");
        assertThat(converted(Hold.newBuilder().setWaitingPage(WaitingPage.newBuilder()
                .setTemplate("x".repeat(WaitingPageConfig.MAX_TEMPLATE_BYTES)))).waitingPage().template())
                .hasSize(WaitingPageConfig.MAX_TEMPLATE_BYTES);
    }

    @Test
    void aKeepAliveOrFailoverNotBeforeTheColdStartTimeoutRejectsTheTableNamingTheRoute() {
        assertThatThrownBy(() -> converted(Hold.newBuilder().setColdStartTimeoutMs(5_000)
                .setStreamKeepAlive(StreamKeepAlive.getDefaultInstance())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("routes[0] (llama): ").hasMessageContaining("streamKeepAlive.after: 5s");
        assertThatThrownBy(() -> converted(Hold.newBuilder().setColdStartTimeoutMs(5_000)
                .setFailover(Failover.newBuilder().setUrl("http://small:8000").setAfterMs(5_000))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("routes[0] (llama): ").hasMessageContaining("failover.after: 5s");
        assertThatThrownBy(() -> converted(Hold.newBuilder()
                .setFailover(Failover.newBuilder().setUrl("http://small:8000"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("routes[0] (llama): ").hasMessageContaining("hold.failover.onQueueFull: false and no after is set");
    }
}
