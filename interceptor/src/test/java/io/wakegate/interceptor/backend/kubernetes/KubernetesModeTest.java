package io.wakegate.interceptor.backend.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.JsonFormat;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.demand.RouteDemand;
import io.wakegate.interceptor.demo.DemoModelServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.TestBackend;
import io.wakegate.proto.routes.ForwardTo;
import io.wakegate.proto.routes.Hold;
import io.wakegate.proto.routes.KubernetesBackend;
import io.wakegate.proto.routes.Match;
import io.wakegate.proto.routes.Route;
import io.wakegate.proto.routes.RouteTable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes mode against Fabric8's CRUD mock API server (the one stand-in allowed): routes from
 * the controller's ConfigMap, endpoints from EndpointSlices, real HTTP through a real interceptor
 * to real backends on loopback (the "pod IP" is 127.0.0.1).
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesModeTest {

    static KubernetesClient client;

    private static final String NS = "models";
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InterceptorServer wakegate;

    @AfterEach
    void stop() throws Exception {
        if (wakegate != null) {
            wakegate.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        client.configMaps().inNamespace("wakegate").delete();
        client.discovery().v1().endpointSlices().inNamespace(NS).delete();
        client.services().inNamespace(NS).delete();
    }

    @Test
    void heldRequestIsReleasedWhenTheEndpointSliceBecomesReady() throws Exception {
        TestBackend backend = backend("llama-pod");
        service("llama", 8000);
        slice("llama", "llama-abc", backend.port(), false, false);
        startWith(table(1, route("models/llama", "/llama", "llama", null)));

        CompletableFuture<HttpResponse<String>> response = send("/llama", "/v1/models");
        await().until(() -> held("models/llama") == 1);
        assertThat(response).isNotDone();

        slice("llama", "llama-abc", backend.port(), true, false);
        HttpResponse<String> r = response.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("llama-pod GET /llama/v1/models");
        assertThat(r.headers().firstValue("x-wakegate-cold-start")).hasValue("true");
        await().until(() -> held("models/llama") == 0 && inFlight("models/llama") == 0);
    }

    @Test
    void terminatingEndpointsGetNoTraffic() throws Exception {
        TestBackend backend = backend("pod");
        service("llama", 8000);
        slice("llama", "llama-abc", backend.port(), true, true);
        startWith(table(1, route("models/llama", "/llama", "llama", null)));

        CompletableFuture<HttpResponse<String>> response = send("/llama", "/");
        await().until(() -> held("models/llama") == 1);
        slice("llama", "llama-abc", backend.port(), true, false);
        assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void withAReadinessPathAnEndpointWaitsForTheModelToLoad() throws Exception {
        DemoModelServer model = DemoModelServer.start(new DemoModelServer.Settings("127.0.0.1", 0, "llama-demo",
                Duration.ofMillis(1500), Duration.ofMillis(1)));
        closeables.add(model);
        service("llama", 8000);
        // The pod is Ready at once (its process is up) but the model is still loading.
        slice("llama", "llama-abc", model.address().getPort(), true, false);
        startWith(table(1, route("models/llama", "/v1", "llama", "/health")));

        HttpResponse<String> r = send("/v1", "/models").get(20, TimeUnit.SECONDS);
        // Without the probe the request would have reached the model while loading and got its 503.
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("llama-demo");
    }

    @Test
    void routeTableUpdatesApplyAndInvalidOrOlderTablesAreIgnored() throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        service("svc-a", 8000);
        service("svc-b", 8000);
        slice("svc-a", "svc-a-1", a.port(), true, false);
        slice("svc-b", "svc-b-1", b.port(), true, false);
        startWith(table(10, route("models/a", "/a", "svc-a", null)));
        await().until(() -> send("/a", "/").get().statusCode() == 200);
        assertThat(send("/b", "/").get().statusCode()).isEqualTo(404);

        writeTable(table(11, route("models/a", "/a", "svc-a", null),
                route("models/b", "/b", "svc-b", null)));
        await().until(() -> send("/b", "/").get().statusCode() == 200);

        // Not JSON: the last good table stays.
        writeTableJson("{not json");
        // An older version (a former leader's late write) is ignored.
        writeTable(table(5, route("models/a", "/a", "svc-a", null)));
        // Invalid content (a path prefix without '/') is rejected whole.
        writeTable(table(12, route("models/a", "/a", "svc-a", null).toBuilder()
                .setMatch(Match.newBuilder().addPathPrefixes("v1")).build()));
        Thread.sleep(500); // give the informer time to deliver the three rejected documents
        assertThat(send("/b", "/").get().statusCode()).isEqualTo(200);
        assertThat(send("/a", "/").get().body()).isEqualTo("a GET /a");
    }

    @Test
    void routeTableUpdateUnderLoadDropsNothing() throws Exception {
        TestBackend a = backend("a");
        service("svc-a", 8000);
        slice("svc-a", "svc-a-1", a.port(), true, false);
        startWith(table(1, route("models/a", "/a", "svc-a", null)));
        await().until(() -> send("/a", "/").get().statusCode() == 200);

        AtomicBoolean running = new AtomicBoolean(true);
        List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        statuses.add(send("/a", "/load").get(10, TimeUnit.SECONDS).statusCode());
                    } catch (Exception e) {
                        statuses.add(-1);
                    }
                }
            });
            thread.start();
            clients.add(thread);
        }
        for (int version = 2; version <= 12; version++) {
            writeTable(table(version, route("models/a", "/a", "svc-a", null).toBuilder()
                    .setMaxConcurrencyPerEndpoint(version).build()));
            Thread.sleep(100);
        }
        running.set(false);
        for (Thread thread : clients) {
            thread.join();
        }
        assertThat(statuses).hasSizeGreaterThan(20).containsOnly(200);
        await().until(() -> inFlight("models/a") == 0);
    }

    // ---- helpers ----

    private TestBackend backend(String name) throws InterruptedException {
        TestBackend backend = TestBackend.start(name);
        closeables.add(backend);
        return backend;
    }

    private void startWith(RouteTable table) throws Exception {
        writeTable(table);
        wakegate = InterceptorServer.start(Interceptors.config("""
                kubernetes:
                  routeTable: {namespace: wakegate}
                """), null, client);
        await().until(() -> wakegate.routes().current().routes().size() == table.getRoutesCount());
    }

    private static RouteTable table(long version, Route... routes) {
        return RouteTable.newBuilder().setVersion(version).addAllRoutes(List.of(routes)).build();
    }

    private static Route route(String name, String prefix, String service, String readinessPath) {
        KubernetesBackend.Builder backend = KubernetesBackend.newBuilder().setNamespace(NS).setService(service)
                .setPortNumber(8000).setPortName("http").setForwardTo(ForwardTo.FORWARD_TO_PODS);
        if (readinessPath != null) {
            backend.setReadinessPath(readinessPath);
        }
        return Route.newBuilder().setName(name).setMatch(Match.newBuilder().addPathPrefixes(prefix))
                .setBackend(backend).setHold(Hold.newBuilder().setColdStartTimeoutMs(60_000).setMaxPendingRequests(100))
                .build();
    }

    private void writeTable(RouteTable table) throws Exception {
        writeTableJson(JsonFormat.printer().print(table));
    }

    private void writeTableJson(String json) {
        client.configMaps().inNamespace("wakegate").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("wakegate-routes").withNamespace("wakegate").endMetadata()
                .addToData("routes.json", json).build()).createOr(c -> c.update());
    }

    private void service(String name, int port) {
        client.services().inNamespace(NS).resource(new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withClusterIP("10.0.0.10").addNewPort().withName("http").withPort(port).endPort().endSpec()
                .build()).createOr(c -> c.update());
    }

    private void slice(String service, String name, int podPort, boolean ready, boolean terminating) {
        EndpointSlice slice = new EndpointSliceBuilder()
                .withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels("kubernetes.io/service-name", service).endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(podPort).withProtocol("TCP").endPort()
                .withEndpoints(new EndpointBuilder().withAddresses("127.0.0.1")
                        .withNewConditions().withReady(ready).withServing(ready).withTerminating(terminating)
                        .endConditions().build())
                .build();
        client.discovery().v1().endpointSlices().inNamespace(NS).resource(slice).createOr(c -> c.update());
    }

    /** Sends GET {@code prefix + path}: routes in these tests match by path prefix. */
    private CompletableFuture<HttpResponse<String>> send(String prefix, String path) {
        String target = "/".equals(path) ? prefix : prefix + path;
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + wakegate.proxyAddress().getPort() + target)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int held(String route) {
        return demand(route).held();
    }

    private int inFlight(String route) {
        return demand(route).inFlight();
    }

    private RouteDemand demand(String route) {
        return wakegate.demand().snapshot().stream().filter(d -> d.route().equals(route)).findFirst()
                .orElse(new RouteDemand(route, 0, 0, 0, 0, 0));
    }
}
