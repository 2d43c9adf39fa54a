package io.wakegate.interceptor.backend.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.demand.RouteDemand;
import io.wakegate.interceptor.demo.DemoModelServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.TestBackend;
import io.wakegate.kubetest.KubeApi;
import io.wakegate.proto.routes.ForwardTo;
import io.wakegate.proto.routes.Hold;
import io.wakegate.proto.routes.KubernetesBackend;
import io.wakegate.proto.routes.Match;
import io.wakegate.proto.routes.Route;
import io.wakegate.proto.routes.RouteTable;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes mode on a real API server (kube-apiserver + etcd): routes from the controller's
 * ConfigMap, endpoints from EndpointSlices, real HTTP through a real interceptor to real
 * backends. The interceptor reads the API with a ServiceAccount token that has exactly the chart's
 * interceptor permissions, so a call the chart does not allow fails these tests.
 *
 * <p>Traffic goes to loopback only. The API server refuses loopback addresses in IPv4 and IPv6
 * slices (and {@code localhost} in FQDN slices: a name needs two labels), so the slices that
 * receive traffic are of type FQDN with the name {@value #LOOPBACK_NAME}, which the interceptor's
 * real Kubernetes backends resolve through a stand-in lookup to 127.0.0.1 (no DNS). The IPv4 and
 * IPv6 rules (ready, terminating, the Service's port) are checked with documentation addresses
 * (RFC 5737, RFC 3849) by what the interceptor counts, without sending them a request.
 */
class KubernetesModeTest {

    private static final KubeApi KUBE = KubeApi.shared();
    private static final String ROUTES = "wakegate-routes";
    private static final String LOOPBACK_NAME = "backend.wakegate.test";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every name the interceptor looked up. */
    private static final Set<String> LOOKED_UP = ConcurrentHashMap.newKeySet();

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String models;
    private String system;
    private KubernetesClient interceptorClient;
    private InterceptorServer wakegate;

    @BeforeEach
    void namespaces() {
        models = KUBE.newNamespace("models");
        system = KUBE.newNamespace("wakegate");
        interceptorClient = interceptorClient();
    }

    @AfterEach
    void stop() throws Exception {
        if (wakegate != null) {
            wakegate.close();
        }
        interceptorClient.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void heldRequestIsReleasedWhenTheEndpointSliceBecomesReady() throws Exception {
        TestBackend backend = backend("llama-pod");
        service("llama");
        loopbackSlice("llama", "llama-abc", backend.port(), false, false);
        startWith(table(1, route("models/llama", "/llama", "llama", null)));

        CompletableFuture<HttpResponse<String>> response = send("/llama", "/v1/models");
        await().until(() -> held("models/llama") == 1);
        assertThat(response).isNotDone();

        loopbackSlice("llama", "llama-abc", backend.port(), true, false);
        HttpResponse<String> r = response.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("llama-pod GET /llama/v1/models");
        assertThat(r.headers().firstValue("x-wakegate-cold-start")).hasValue("true");
        await().until(() -> held("models/llama") == 0 && inFlight("models/llama") == 0);
    }

    @Test
    void anOperatorsWakeIsReportedAsDemandUntilTheSliceIsReadyAndSleepIsLeftToKeda() throws Exception {
        TestBackend backend = backend("llama-pod");
        service("llama");
        startWith(table(1, route("models/llama", "/llama", "llama", null)));

        HttpResponse<String> woken = adminPost("/api/routes/models%2Fllama/wake");
        assertThat(woken.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(woken.body()).path("backend").asText()).isEqualTo("kubernetes");
        assertThat(JSON.readTree(woken.body()).path("state").asText()).isEqualTo("waking");
        assertThat(held("models/llama")).isEqualTo(1); // what the scalers are told: KEDA scales it from zero

        HttpResponse<String> sleep = adminPost("/api/routes/models/llama/sleep");
        assertThat(sleep.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(sleep.body()).path("error").asText()).contains("KEDA owns the replicas");

        loopbackSlice("llama", "llama-abc", backend.port(), true, false);
        await().until(() -> held("models/llama") == 0);
        HttpResponse<String> ready = adminPost("/api/routes/models%2Fllama/wake");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).path("state").asText()).isEqualTo("ready");
    }

    private HttpResponse<String> adminPost(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wakegate.adminAddress().getPort() + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anInterceptorStartedBeforeItsRbacKeepsTryingAndServesOnceGranted() throws Exception {
        TestBackend backend = backend("llama-pod");
        service("llama");
        loopbackSlice("llama", "llama-abc", backend.port(), true, false);
        writeTable(table(1, route("models/llama", "/llama", "llama", null)));
        // Fabric8 stops an informer whose first list fails, unless told to retry: a 403 here.
        try (KubernetesClient late = KUBE.clientAs(system, "late")) {
            start(late, "");
            assertThat(wakegate.routes().current().routes()).as("no table without RBAC").isEmpty();

            grant("late", models, "late-endpoints", rule("discovery.k8s.io", "endpointslices", null),
                    rule("", "services", null));
            grant("late", system, "late-routes", rule("", "configmaps", ROUTES));
            await().atMost(Duration.ofSeconds(60)).until(() -> wakegate.routes().current().routes().size() == 1);
            HttpResponse<String> r = send("/llama", "/v1/models").get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("llama-pod GET /llama/v1/models");
        }
    }

    @Test
    void terminatingEndpointsGetNoTraffic() throws Exception {
        TestBackend backend = backend("pod");
        service("llama");
        loopbackSlice("llama", "llama-abc", backend.port(), true, true);
        startWith(table(1, route("models/llama", "/llama", "llama", null)));

        CompletableFuture<HttpResponse<String>> response = send("/llama", "/");
        await().until(() -> held("models/llama") == 1);
        assertThat(backend.requests()).isZero();
        loopbackSlice("llama", "llama-abc", backend.port(), true, false);
        assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void ipSlicesCountReadyNotTerminatingAddressesOnTheServicePortAndAreNeverLookedUp() throws Exception {
        LOOKED_UP.clear();
        service("llama");
        startWith(table(1, route("models/llama", "/llama", "llama", null)));
        slice("llama", "llama-v4", "IPv4", "http", 8080,
                endpoint(true, false, "192.0.2.10"),
                endpoint(false, false, "192.0.2.11"),
                endpoint(true, true, "192.0.2.12"),
                endpoint(null, null, "192.0.2.13")); // no conditions: ready, as the API defines it
        slice("llama", "llama-v6", "IPv6", "http", 8080, endpoint(true, false, "2001:db8::10"));
        slice("llama", "llama-metrics", "IPv4", "metrics", 9090, endpoint(true, false, "192.0.2.20"));
        slice("other", "other-v4", "IPv4", "http", 8080, endpoint(true, false, "192.0.2.30"));
        await().until(() -> counted("models/llama"),
                equalTo(Set.of("192.0.2.10:8080", "192.0.2.13:8080", "[2001:db8::10]:8080")));

        // .10 starts terminating, .11 becomes ready; a deleted slice takes its endpoints along.
        slice("llama", "llama-v4", "IPv4", "http", 8080,
                endpoint(false, true, "192.0.2.10"),
                endpoint(true, false, "192.0.2.11"));
        KUBE.admin().discovery().v1().endpointSlices().inNamespace(models).withName("llama-v6").delete();
        await().until(() -> counted("models/llama"), equalTo(Set.of("192.0.2.11:8080")));
        assertThat(LOOKED_UP).as("IP literals are parsed, never resolved").isEmpty();
    }

    @Test
    void modelsOfTheRouteTableShareOneAddressAndAreChosenByTheRequestsModel() throws Exception {
        TestBackend llama = backend("llama-pod");
        TestBackend qwen = backend("qwen-pod");
        service("llama");
        service("qwen");
        loopbackSlice("llama", "llama-abc", llama.port(), true, false);
        loopbackSlice("qwen", "qwen-abc", qwen.port(), true, false);
        Route llamaRoute = route("models/llama", "/v1", "llama", null);
        Route qwenRoute = route("models/qwen", "/v1", "qwen", null);
        startWith(table(1,
                llamaRoute.toBuilder().setMatch(llamaRoute.getMatch().toBuilder().addModels("llama-3")).build(),
                qwenRoute.toBuilder().setMatch(qwenRoute.getMatch().toBuilder().addModels("qwen-2").addModels("qwen"))
                        .build()));

        for (String[] c : new String[][] {{"llama-3", "llama-pod"}, {"qwen", "qwen-pod"}, {"qwen-2", "qwen-pod"}}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + wakegate.proxyAddress().getPort() + "/v1/chat/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + c[0] + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(c[1] + " POST /v1/chat/completions");
        }
        HttpResponse<String> list = send("/v1", "/models").get(10, TimeUnit.SECONDS);
        assertThat(JSON.readTree(list.body()).findValuesAsText("id")).containsExactly("llama-3", "qwen", "qwen-2");
    }

    @Test
    void withAReadinessPathAnEndpointWaitsForTheModelToLoad() throws Exception {
        DemoModelServer model = DemoModelServer.start(new DemoModelServer.Settings("127.0.0.1", 0, "llama-demo",
                Duration.ofMillis(1500), Duration.ofMillis(1)));
        closeables.add(model);
        service("llama");
        // The pod is Ready at once (its process is up) but the model is still loading.
        loopbackSlice("llama", "llama-abc", model.address().getPort(), true, false);
        startWith(table(1, route("models/llama", "/v1", "llama", "/health")));

        HttpResponse<String> r = send("/v1", "/models").get(20, TimeUnit.SECONDS);
        // Without the probe the request would have reached the model while loading and got its 503.
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("llama-demo");
    }

    @Test
    void routeTableUpdatesApplyAndInvalidOrOlderTablesAreIgnored() throws Exception {
        for (String name : List.of("a", "b", "c")) {
            TestBackend backend = backend(name);
            service("svc-" + name);
            loopbackSlice("svc-" + name, "svc-" + name + "-1", backend.port(), true, false);
        }
        startWith(table(10, route("models/a", "/a", "svc-a", null)));
        await().until(() -> send("/a", "/").get().statusCode() == 200);
        assertThat(send("/b", "/").get().statusCode()).isEqualTo(404);

        writeTable(table(11, route("models/a", "/a", "svc-a", null),
                route("models/b", "/b", "svc-b", null)));
        await().until(() -> send("/b", "/").get().statusCode() == 200);
        long applied = wakegate.routes().current().version();

        // Not JSON: the last good table stays.
        writeTableJson("{not json");
        // An older version (a former leader's late write) is ignored.
        writeTable(table(5, route("models/a", "/a", "svc-a", null)));
        // Invalid content (a path prefix without '/') is rejected whole.
        writeTable(table(12, route("models/a", "/a", "svc-a", null).toBuilder()
                .setMatch(Match.newBuilder().addPathPrefixes("v1")).build()));
        // A valid table after them: once it is served, the informer has delivered the three before it.
        writeTable(table(13, route("models/a", "/a", "svc-a", null),
                route("models/b", "/b", "svc-b", null), route("models/c", "/c", "svc-c", null)));
        await().until(() -> send("/c", "/").get().statusCode() == 200);
        assertThat(wakegate.routes().current().version()).isEqualTo(applied + 1);
        assertThat(send("/b", "/").get().statusCode()).isEqualTo(200);
        assertThat(send("/a", "/").get().body()).isEqualTo("a GET /a");
    }

    @Test
    void routeTableUpdateUnderLoadDropsNothing() throws Exception {
        TestBackend a = backend("a");
        service("svc-a");
        loopbackSlice("svc-a", "svc-a-1", a.port(), true, false);
        startWith(table(1, route("models/a", "/a", "svc-a", null)));
        await().until(() -> send("/a", "/").get().statusCode() == 200);

        AtomicBoolean running = new AtomicBoolean(true);
        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
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
            int cap = version;
            int before = statuses.size();
            writeTable(table(version, route("models/a", "/a", "svc-a", null).toBuilder()
                    .setMaxConcurrencyPerEndpoint(cap).build()));
            // each table in force while requests pass, before the next one is written
            await().until(() -> liveRoute("models/a").policy().maxConcurrencyPerEndpoint() == cap
                    && statuses.size() > before + 2);
        }
        running.set(false);
        for (Thread thread : clients) {
            thread.join();
        }
        assertThat(statuses).hasSizeGreaterThan(20).containsOnly(200);
        await().until(() -> inFlight("models/a") == 0);
    }

    @Test
    void aNotWakeableRouteForwardsWhileItHasReadyEndpointsAndOtherwiseAnswers503AtOnce() throws Exception {
        TestBackend backend = backend("llama-pod");
        service("llama");
        startWith(table(1, notWakeable(route("models/llama", "/llama", "llama", null))));

        // No endpoint, and the cold-start timeout is a minute: answered at once, never held.
        assertNotWakeable(send("/llama", "/v1/models").get(10, TimeUnit.SECONDS));

        loopbackSlice("llama", "llama-abc", backend.port(), true, false);
        await().until(() -> counted("models/llama"), equalTo(Set.of(LOOPBACK_NAME + "/127.0.0.1:" + backend.port())));
        HttpResponse<String> r = send("/llama", "/v1/models").get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("llama-pod GET /llama/v1/models");

        loopbackSlice("llama", "llama-abc", backend.port(), false, false);
        await().until(() -> counted("models/llama").isEmpty());
        assertNotWakeable(send("/llama", "/v1/models").get(10, TimeUnit.SECONDS));
        assertThat(backend.requests()).isEqualTo(1);
        assertThat(Interceptors.admin(wakegate, "/metrics").body()).contains(
                "wakegate_interceptor_rejections_total{reason=\"not-wakeable\",route=\"models/llama\"} 2.0");
        Interceptors.awaitCountersZero(wakegate);
    }

    @Test
    void heldRequestsAreAnsweredAtOnceWhenTheTableSaysNothingCanWakeTheRoute() throws Exception {
        service("llama");
        startWith(table(1, route("models/llama", "/llama", "llama", null)));
        CompletableFuture<HttpResponse<String>> response = send("/llama", "/v1/models");
        await().until(() -> held("models/llama") == 1);

        writeTable(table(2, notWakeable(route("models/llama", "/llama", "llama", null))));
        assertNotWakeable(response.get(10, TimeUnit.SECONDS));
        Interceptors.awaitCountersZero(wakegate);
    }

    // ---- helpers ----

    private static Route notWakeable(Route route) {
        return route.toBuilder().setHold(route.getHold().toBuilder().setNotWakeable(true)).build();
    }

    private static void assertNotWakeable(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("x-wakegate-reason")).hasValue("not-wakeable");
        assertThat(response.headers().firstValue("retry-after")).hasValue("10");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("reason").asText()).isEqualTo("not-wakeable");
        assertThat(body.get("route").asText()).isEqualTo("models/llama");
    }

    /**
     * A client with exactly the chart's interceptor permissions: EndpointSlices and Services of the
     * model namespace, the route-table ConfigMap by name in Wakegate's namespace.
     */
    private KubernetesClient interceptorClient() {
        grant(models, "wakegate-interceptor",
                rule("discovery.k8s.io", "endpointslices", null), rule("", "services", null));
        grant(system, "wakegate-interceptor-routes", rule("", "configmaps", ROUTES));
        KubernetesClient client = KUBE.clientAs(system, "interceptor");
        // The authorizer sees a new binding a moment after it is written.
        await().ignoreExceptions().until(() -> {
            client.services().inNamespace(models).list();
            client.discovery().v1().endpointSlices().inNamespace(models).list();
            client.configMaps().inNamespace(system).withName(ROUTES).get();
            return true;
        });
        return client;
    }

    private static PolicyRule rule(String group, String resource, String name) {
        PolicyRuleBuilder rule = new PolicyRuleBuilder().withApiGroups(group).withResources(resource)
                .withVerbs("get", "list", "watch");
        return (name == null ? rule : rule.withResourceNames(name)).build();
    }

    private void grant(String namespace, String name, PolicyRule... rules) {
        grant("interceptor", namespace, name, rules);
    }

    private void grant(String serviceAccount, String namespace, String name, PolicyRule... rules) {
        KUBE.admin().rbac().roles().inNamespace(namespace).resource(new RoleBuilder()
                .withNewMetadata().withName(name).endMetadata().withRules(rules).build()).create();
        KUBE.admin().rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(name).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(system).endSubject()
                .build()).create();
    }

    private TestBackend backend(String name) throws InterruptedException {
        TestBackend backend = TestBackend.start(name);
        closeables.add(backend);
        return backend;
    }

    private void startWith(RouteTable table) throws Exception {
        startWith(table, "");
    }

    private void startWith(RouteTable table, String extraYaml) throws Exception {
        writeTable(table);
        start(interceptorClient, extraYaml);
        await().until(() -> wakegate.routes().current().routes().size() == table.getRoutesCount());
    }

    /** Starts the interceptor in Kubernetes mode on {@code client}, reading this test's route table. */
    private void start(KubernetesClient client, String extraYaml) throws Exception {
        ScheduledExecutorService executor = Executors.newScheduledThreadPool(2);
        closeables.add(executor::shutdownNow);
        KubernetesBackends backends = new KubernetesBackends(client, executor, KubernetesModeTest::lookup);
        closeables.add(0, backends);
        wakegate = InterceptorServer.start(Interceptors.config("""
                kubernetes:
                  routeTable: {namespace: %s}
                """.formatted(system) + extraYaml),
                (route, backend) -> backends.create(route, backend.kubernetesBackend()), client);
    }

    /** The only name FQDN slices use here, resolved without DNS, to loopback. */
    private static InetAddress lookup(String name) throws UnknownHostException {
        LOOKED_UP.add(name);
        if (!name.equals(LOOPBACK_NAME)) {
            throw new UnknownHostException(name + " (these tests resolve no other name)");
        }
        return InetAddress.getByAddress(name, new byte[] {127, 0, 0, 1});
    }

    private static RouteTable table(long version, Route... routes) {
        return RouteTable.newBuilder().setVersion(version).addAllRoutes(List.of(routes)).build();
    }

    private Route route(String name, String prefix, String service, String readinessPath) {
        KubernetesBackend.Builder backend = KubernetesBackend.newBuilder().setNamespace(models).setService(service)
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
        KUBE.admin().configMaps().inNamespace(system).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(ROUTES).withNamespace(system).endMetadata()
                .addToData("routes.json", json).build()).createOr(c -> c.update());
    }

    /** A Service without a selector (the tests publish its slices), port {@code http} 8000. */
    private void service(String name) {
        KUBE.admin().services().inNamespace(models).resource(new ServiceBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(8000).endPort().endSpec()
                .build()).createOr(c -> c.update());
    }

    /** A slice of type FQDN whose one endpoint resolves to loopback: how traffic reaches a test backend. */
    private void loopbackSlice(String service, String name, int podPort, boolean ready, boolean terminating) {
        slice(service, name, "FQDN", "http", podPort, endpoint(ready, terminating, LOOPBACK_NAME));
    }

    private void slice(String service, String name, String addressType, String portName, int port,
                       Endpoint... endpoints) {
        KUBE.admin().discovery().v1().endpointSlices().inNamespace(models).resource(new EndpointSliceBuilder()
                .withNewMetadata().withName(name).addToLabels("kubernetes.io/service-name", service).endMetadata()
                .withAddressType(addressType)
                .addNewPort().withName(portName).withPort(port).withProtocol("TCP").endPort()
                .withEndpoints(endpoints)
                .build()).createOr(c -> c.update());
    }

    /** An endpoint; null conditions leave them out. */
    private static Endpoint endpoint(Boolean ready, Boolean terminating, String address) {
        EndpointBuilder endpoint = new EndpointBuilder().withAddresses(address);
        if (ready != null) {
            endpoint.withNewConditions().withReady(ready).withServing(ready).withTerminating(terminating)
                    .endConditions();
        }
        return endpoint.build();
    }

    /** Sends GET {@code prefix + path}: routes in these tests match by path prefix. */
    private CompletableFuture<HttpResponse<String>> send(String prefix, String path) {
        String target = "/".equals(path) ? prefix : prefix + path;
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + wakegate.proxyAddress().getPort() + target)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The endpoints the interceptor counts for {@code route}, as {@code /queue} lists them. */
    private Set<String> counted(String route) throws Exception {
        Set<String> out = new TreeSet<>();
        for (JsonNode r : JSON.readTree(Interceptors.admin(wakegate, "/queue").body()).get("routes")) {
            if (r.get("route").asText().equals(route)) {
                r.get("readyEndpoints").forEach(e -> out.add(e.get("endpoint").asText()));
            }
        }
        return out;
    }

    private io.wakegate.interceptor.routing.Route liveRoute(String name) {
        return wakegate.routes().current().routes().get(name);
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
