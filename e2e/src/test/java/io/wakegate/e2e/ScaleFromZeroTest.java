package io.wakegate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.wakegate.controller.crd.ColdStartSpec;
import io.wakegate.controller.crd.IstioSpec;
import io.wakegate.controller.crd.MatchSpec;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostSpec;
import io.wakegate.controller.crd.ReplicasSpec;
import io.wakegate.controller.crd.ScalingSpec;
import io.wakegate.controller.crd.TargetSpec;
import io.wakegate.controller.desired.Settings;
import io.wakegate.controller.reconcile.Controller;
import io.wakegate.controller.status.Conditions;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.config.ConfigLoader;
import io.wakegate.interceptor.demo.DemoModelServer;
import io.wakegate.proto.externalscaler.ExternalScalerGrpc;
import io.wakegate.proto.externalscaler.IsActiveResponse;
import io.wakegate.proto.externalscaler.ScaledObjectRef;
import io.wakegate.kubetest.KubeApi;
import io.wakegate.kubetest.ReferenceCrds;
import io.wakegate.scaler.ScalerServer;
import io.wakegate.scaler.aggregate.DemandAggregator;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Scale from zero and back with every Wakegate component real and running — controller,
 * interceptor and scaler as servers on loopback — on a real API server (kube-apiserver + etcd,
 * which validates every object written), with only KEDA's and the kubelet's parts stood in by the
 * test: a KEDA stand-in that opens {@code StreamIsActive} with the metadata the controller wrote,
 * sets the Deployment's replicas to 1 on {@code true} and, asking {@code IsActive} as KEDA's poll
 * does, back to 0 once demand is gone; and a kubelet stand-in that starts the demo model host for
 * a replica and publishes its EndpointSlice once {@code /health} passes, and stops it at zero.
 *
 * <p>The slice is of {@code addressType: FQDN} with the address {@value #MODEL_HOST}, which this
 * JVM's hosts file ({@code src/test/resources/hosts}) resolves to 127.0.0.1: the API server refuses
 * loopback addresses in IPv4 slices, and the model runs on this machine's loopback.
 */
class ScaleFromZeroTest {

    static final String MODEL_HOST = "model.wakegate.test";
    private static final KubernetesClient client = KubeApi.shared().admin();
    private static final String NS = KubeApi.shared().newNamespace("models");
    private static final String WAKEGATE_NS = KubeApi.shared().newNamespace("wakegate");
    private static final ResourceDefinitionContext SCALED_OBJECTS = new ResourceDefinitionContext.Builder()
            .withGroup("keda.sh").withVersion("v1alpha1").withKind("ScaledObject").withPlural("scaledobjects")
            .withNamespaced(true).build();

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void requestSentAtZeroReplicasIsAnsweredByTheModelOnceItScaledUp() throws Exception {
        installCrds();
        ScalerServer scaler = ScalerServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                .kedaPort(0).demandPort(0).adminPort(-1).sweepInterval(Duration.ofMillis(50))
                .aggregation(new DemandAggregator.Settings(3, Duration.ofSeconds(6))).build().start();
        closeables.add(scaler);

        Controller controller = new Controller(client, List.of(NS),
                new Settings(WAKEGATE_NS, "127.0.0.1:" + scaler.kedaPort(), "wakegate-interceptor", 8080,
                        "cluster.local"),
                new Controller.Timing(Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofMillis(100),
                        Duration.ofSeconds(1), Duration.ofSeconds(20)),
                Clock.systemUTC());
        controller.start();
        closeables.add(controller::close);

        InterceptorServer interceptor = InterceptorServer.start(ConfigLoader.parse("""
                server: {bindAddress: 127.0.0.1, port: 0, adminBindAddress: 127.0.0.1, adminPort: 0}
                shutdown: {readinessDelay: 0s, drainTimeout: 5s}
                scaler: {address: "127.0.0.1:%d", reportInterval: 100ms}
                kubernetes:
                  routeTable: {namespace: %s}
                """.formatted(scaler.demandPort(), WAKEGATE_NS), "e2e.yaml"), null, client);
        closeables.add(interceptor);

        // The model's workload, scaled to zero, and its Service.
        client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                .withNewMetadata().withName("llama").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(0).withNewSelector().addToMatchLabels("app", "llama").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "llama").endMetadata()
                .withNewSpec().addNewContainer().withName("vllm").withImage("vllm/vllm-openai").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        client.services().inNamespace(NS).resource(new ServiceBuilder()
                .withNewMetadata().withName("llama").withNamespace(NS).endMetadata()
                .withNewSpec().addToSelector("app", "llama")
                .addNewPort().withName("http").withPort(8000).endPort().endSpec().build()).create();

        Kubelet kubelet = new Kubelet();
        closeables.add(kubelet);
        Keda keda = new Keda();
        closeables.add(keda);

        // The platform team declares the model host.
        ModelHost host = new ModelHost();
        host.setMetadata(new ObjectMetaBuilder().withName("llama").withNamespace(NS).build());
        host.setSpec(new ModelHostSpec(
                new MatchSpec(List.of("llama.example.com"), List.of("/"), List.of()),
                new TargetSpec(null, "llama", null, new IntOrString("http")),
                new ReplicasSpec(0, 2),
                new ScalingSpec(ScalingSpec.Metric.CONCURRENCY, 1.0, "5s", 0.0, 300, 5),
                new ColdStartSpec(120, 100, "/health"),
                0, 120, ModelHostSpec.ForwardTo.Pods,
                new IstioSpec(false, List.of(), null)));
        client.resources(ModelHost.class).inNamespace(NS).resource(host).create();

        // The controller programs the route and the ScaledObject; KEDA starts watching it.
        await().atMost(Duration.ofSeconds(30)).until(() -> interceptor.routes().current().routes()
                .containsKey(NS + "/llama"));
        GenericKubernetesResource scaledObject = await().atMost(Duration.ofSeconds(30)).until(
                () -> client.genericKubernetesResources(SCALED_OBJECTS).inNamespace(NS).list().getItems(),
                items -> items.size() == 1).get(0);
        keda.watch(scaledObject);
        await().until(() -> keda.seen.size() == 1 || !keda.errors.isEmpty());
        assertThat(keda.errors).isEmpty();
        assertThat(keda.seen).containsExactly(false);
        assertThat(replicas()).isZero();

        // A request at zero replicas: held by the interceptor, its demand wakes the workload.
        long start = System.nanoTime();
        Response response = post("llama.example.com", "/v1/completions",
                "{\"model\":\"llama-demo\",\"prompt\":\"scale me from zero\",\"max_tokens\":16}");
        long firstByteMillis = TimeUnit.NANOSECONDS.toMillis(response.firstByteNanos() - start);
        System.out.println("e2e: time from request to first byte at zero replicas: " + firstByteMillis + " ms");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).contains("x-wakegate-cold-start: true")
                .contains("Hello from llama-demo! You said: scale me from zero");
        assertThat(keda.seen).startsWith(false, true);
        assertThat(replicas()).isEqualTo(1);
        assertThat(kubelet.startedAfterActivation).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> Conditions.TRUE.equals(readyOf("llama")));

        // Demand gone: once the scaler's window has passed, KEDA's poll finds it inactive and
        // scales to zero; the kubelet stops the pod and its endpoint leaves the slice.
        keda.scaleToZeroWhenInactive();
        await().atMost(Duration.ofSeconds(60)).until(() -> replicas() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> interceptor.routes().current().routes()
                .get(NS + "/llama").gate().readyEndpoints().isEmpty());
        assertThat(kubelet.stopped).isTrue();
    }

    private static String readyOf(String name) {
        ModelHost host = client.resources(ModelHost.class).inNamespace(NS).withName(name).get();
        return host == null || host.getStatus() == null ? null
                : host.getStatus().conditions().stream().filter(c -> c.type().equals(Conditions.READY))
                        .map(c -> c.status()).findFirst().orElse(null);
    }

    // ---- stand-ins for the cluster ----

    /** Sets the Deployment's replicas to 1 when the scaler says the ScaledObject is active. */
    private final class Keda implements AutoCloseable {
        final List<Boolean> seen = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        private ManagedChannel channel;
        private ScaledObjectRef ref;
        private String target;
        private Thread poller;

        @SuppressWarnings("unchecked")
        void watch(GenericKubernetesResource scaledObject) {
            Map<String, Object> spec = (Map<String, Object>) scaledObject.getAdditionalProperties().get("spec");
            Map<String, Object> trigger = ((List<Map<String, Object>>) spec.get("triggers")).get(0);
            assertThat(trigger.get("type")).isEqualTo("external-push");
            Map<String, String> metadata = (Map<String, String>) trigger.get("metadata");
            String[] address = metadata.get("scalerAddress").split(":");
            target = (String) ((Map<String, Object>) spec.get("scaleTargetRef")).get("name");
            channel = Grpc.newChannelBuilderForAddress(address[0], Integer.parseInt(address[1]),
                    InsecureChannelCredentials.create()).build();
            ref = ScaledObjectRef.newBuilder().setName(scaledObject.getMetadata().getName())
                    .setNamespace(NS).putAllScalerMetadata(metadata).build();
            ExternalScalerGrpc.newStub(channel).streamIsActive(ref, new StreamObserver<>() {
                @Override
                public void onNext(IsActiveResponse value) {
                    seen.add(value.getResult());
                    if (value.getResult()) {
                        client.apps().deployments().inNamespace(NS).withName(target)
                                .edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(1).endSpec().build());
                    }
                }

                @Override
                public void onError(Throwable t) {
                    errors.add(t.toString());
                }

                @Override
                public void onCompleted() {
                }
            });
        }

        /** KEDA's polling side: IsActive every pollingInterval (here 200 ms); inactive at one replica → zero. */
        void scaleToZeroWhenInactive() {
            poller = new Thread(() -> {
                var stub = ExternalScalerGrpc.newBlockingStub(channel);
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        if (!stub.isActive(ref).getResult() && replicas() > 0) {
                            client.apps().deployments().inNamespace(NS).withName(target)
                                    .edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(0).endSpec().build());
                        }
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        errors.add(e.toString());
                        return;
                    }
                }
            }, "keda-poll-stand-in");
            poller.setDaemon(true);
            poller.start();
        }

        @Override
        public void close() throws InterruptedException {
            if (poller != null) {
                poller.interrupt();
                poller.join(5000);
            }
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Starts the model "pod" when the Deployment wants a replica; publishes it once /health passes. */
    private final class Kubelet implements AutoCloseable {
        private final AtomicReference<DemoModelServer> pod = new AtomicReference<>();
        private final Thread thread;
        volatile boolean startedAfterActivation;
        volatile boolean stopped;
        private volatile boolean running = true;

        Kubelet() {
            thread = new Thread(this::run, "kubelet-stand-in");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try {
                while (running && replicas() < 1) {
                    Thread.sleep(20); // a stand-in watching its node; the product never polls like this
                }
                if (!running) {
                    return;
                }
                startedAfterActivation = true;
                DemoModelServer model = DemoModelServer.start(new DemoModelServer.Settings("127.0.0.1", 0,
                        "llama-demo", Duration.ofMillis(800), Duration.ofMillis(5)));
                pod.set(model);
                int port = model.address().getPort();
                while (running && !healthy(port)) {
                    Thread.sleep(50); // the readiness probe
                }
                client.discovery().v1().endpointSlices().inNamespace(NS).resource(new EndpointSliceBuilder()
                        .withNewMetadata().withName("llama-x1").withNamespace(NS)
                        .addToLabels("kubernetes.io/service-name", "llama").endMetadata()
                        .withAddressType("FQDN")
                        .addNewPort().withName("http").withPort(port).withProtocol("TCP").endPort()
                        .withEndpoints(new EndpointBuilder().withAddresses(MODEL_HOST)
                                .withNewConditions().withReady(true).withServing(true).withTerminating(false)
                                .endConditions().build())
                        .build()).create();
                while (running && replicas() > 0) {
                    Thread.sleep(20);
                }
                if (running) {
                    // Scaled to zero: the pod goes, and with it its endpoint.
                    client.discovery().v1().endpointSlices().inNamespace(NS).withName("llama-x1").delete();
                    pod.getAndSet(null).close();
                    stopped = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5000);
            DemoModelServer model = pod.getAndSet(null);
            if (model != null) {
                model.close();
            }
        }
    }

    private static boolean healthy(int port) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health").toURL()
                    .openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(500);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (Exception e) {
            return false;
        }
    }

    private static int replicas() {
        Deployment d = client.apps().deployments().inNamespace(NS).withName("llama").get();
        return d == null || d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
    }

    // ---- plumbing ----

    private record Response(int status, String text, long firstByteNanos) {
    }

    /** A raw HTTP/1.1 POST, so the Host header is ours to choose; reads until the server closes. */
    private Response post(String host, String path, String json) throws Exception {
        int port = 0;
        for (AutoCloseable c : closeables) {
            if (c instanceof InterceptorServer s) {
                port = s.proxyAddress().getPort();
            }
        }
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            int first = in.read();
            long firstByte = System.nanoTime();
            byte[] rest = in.readAllBytes();
            String text = (char) first + new String(rest, StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            return new Response(status, text, firstByte);
        }
    }

    static void installCrds() throws Exception {
        Path file = repositoryRoot().resolve("deploy/crds/modelhosts.wakegate.io-v1.yml");
        assertThat(file).as("CRD file").isRegularFile();
        if (client.apiextensions().v1().customResourceDefinitions().withName("modelhosts.wakegate.io").get() == null) {
            try (InputStream in = Files.newInputStream(file)) {
                ReferenceCrds.installAndWait(client,
                        client.apiextensions().v1().customResourceDefinitions().load(in).item());
            }
        }
        ReferenceCrds.SCALED_OBJECT.install(client);
        ReferenceCrds.VIRTUAL_SERVICE.install(client);
    }

    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy/crds/modelhosts.wakegate.io-v1.yml"))) {
                return dir;
            }
        }
        throw new AssertionError("repository root with deploy/crds not found above " + Path.of("").toAbsolutePath());
    }
}
