package io.wakegate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Volume;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The images, run as the chart runs them (uid 65532, read-only root, /tmp a tmpfs, no
 * capabilities): the interceptor image in front of the demo model host (the same image,
 * {@code wakegate demo-model}), reporting demand to the scaler image.
 *
 * <p>Needs a Docker engine. deploy/images/build.sh builds the images first (the base once). Without
 * Docker the tests are skipped — unless WAKEGATE_REQUIRE_DOCKER=1 (set by .ci/docker-setup), when
 * they fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImagesTest {

    // What build.sh builds by default: the tags the chart installs by default.
    private static final String INTERCEPTOR = "wakegate/interceptor:" + Chart.appVersion();
    private static final String SCALER = "wakegate/scaler:" + Chart.appVersion();
    private static final String CONTROLLER = "wakegate/controller:" + Chart.appVersion();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Network network;
    private static GenericContainer<?> scaler;
    private static GenericContainer<?> model;
    private static GenericContainer<?> interceptor;
    private static ManagedChannel scalerChannel;

    @BeforeAll
    static void buildAndStart() throws Exception {
        requireDocker();
        buildImages();
        network = Network.newNetwork();

        scaler = locked(SCALER)
                .withNetwork(network).withNetworkAliases("scaler")
                .withExposedPorts(9090, 9091, 9092)
                .waitingFor(Wait.forHttp("/healthz").forPort(9092))
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("scaler")));
        scaler.start();
        scalerChannel = ManagedChannelBuilder.forAddress(scaler.getHost(), scaler.getMappedPort(9090)).usePlaintext().build();
        // No interceptor has reported yet: the health service answers, NOT_SERVING.
        assertThat(health()).isEqualTo(ServingStatus.NOT_SERVING);

        // The model "loads" for 8 s: /health answers 503 until then.
        model = locked(INTERCEPTOR)
                .withNetwork(network).withNetworkAliases("model")
                .withCommand("demo-model", "--host", "0.0.0.0", "--port", "8000", "--model", "demo", "--load-time", "8s", "--token-delay", "100ms")
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("model")));
        model.start();

        Path config = Repo.root().resolve("deploy/target/images-test/wakegate.yaml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, """
                server: {port: 8080, adminBindAddress: 0.0.0.0, adminPort: 9090}
                shutdown: {readinessDelay: 1s, drainTimeout: 30s}
                scaler: {address: "scaler:9091", reportInterval: 250ms}
                routes:
                  - name: demo
                    backend:
                      static:
                        urls: [http://model:8000]
                        healthCheck: {path: /health, interval: 250ms}
                    hold: {coldStartTimeout: 2m}
                """);
        config.toFile().setReadable(true, false);
        interceptor = locked(INTERCEPTOR)
                .withNetwork(network).withNetworkAliases("interceptor")
                // A plain bind (Testcontainers' own file binding would pull an image to check the path).
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withBinds(
                        new Bind(config.toString(), new Volume("/etc/wakegate/wakegate.yaml"), AccessMode.ro)))
                .withExposedPorts(8080, 9090)
                .waitingFor(Wait.forHttp("/healthz").forPort(9090))
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("interceptor")));
        interceptor.start();
    }

    @AfterAll
    static void stop() {
        if (scalerChannel != null) {
            scalerChannel.shutdownNow();
        }
        for (GenericContainer<?> c : new GenericContainer<?>[] {interceptor, model, scaler}) {
            if (c != null) {
                c.stop();
            }
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    @Order(1)
    void requestWhileTheModelLoadsIsHeldThenAnswered() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = HTTP.send(chat(false, 5), HttpResponse.BodyHandlers.ofString());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("chat.completion");
        assertThat(response.headers().firstValue("x-wakegate-cold-start")).hasValue("true");
        assertThat(took).as("held until the model was loaded").isGreaterThan(Duration.ofSeconds(1));
    }

    @Test
    @Order(2)
    void scalerServesGrpcHealthAndTurnsServingOnceTheInterceptorReports() {
        await().atMost(Duration.ofSeconds(30)).until(() -> health() == ServingStatus.SERVING);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(scaler, 9092, "/metrics"))
                .containsPattern("wakegate_scaler_interceptors(\\{[^}]*\\})? 1(\\.0)?\\b"));
    }

    /**
     * The base's JDK 25 warns when a library reads memory through sun.misc.Unsafe (protobuf does, at
     * its first message) or loads a native library (Netty's epoll and io_uring): the Dockerfiles
     * give java the flags that allow both, and with them Netty takes its Unsafe paths as on JDK 17.
     * By now each container has served requests, sent or parsed protobuf, and loaded its transport.
     */
    @Test
    @Order(3)
    void jvmPrintsNoUnsafeOrNativeAccessWarning() {
        Map.of("scaler", scaler, "model", model, "interceptor", interceptor).forEach((name, c) ->
                assertThat(c.getLogs()).as(name + "'s log")
                        .doesNotContain("sun.misc.Unsafe", "A restricted method", "--enable-native-access"));
    }

    @Test
    @Order(4)
    void imagesRunAsNonRootUser() {
        for (String image : List.of(INTERCEPTOR, SCALER)) {
            String user = DockerClientFactory.instance().client().inspectImageCmd(image).exec().getConfig().getUser();
            assertThat(user).as(image).isEqualTo("65532:65532");
        }
    }

    @Test
    @Order(5)
    void controllerImageStarts() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(Repo.root().resolve("controller/target/wakegate-controller.jar")),
                "controller/target/wakegate-controller.jar is not built by the controller module yet: no controller image");
        try (var c = locked(CONTROLLER).withCommand("--help")
                .withStartupCheckStrategy(new org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy()
                        .withTimeout(Duration.ofSeconds(60)))) {
            c.start();
            assertThat(c.getLogs()).contains("--[no-]leader-election", "--scaler-address", "--admin-port");
        }
    }

    @Test
    @Order(6)
    void sigtermDrainsAnInFlightStreamAndExitsZero() throws Exception {
        CountDownLatch firstChunk = new CountDownLatch(1);
        List<String> lines = new ArrayList<>();
        // 40 tokens, 100 ms apart: about 4 s of streaming, most of it after SIGTERM.
        CompletableFuture<HttpResponse<Void>> stream = HTTP.sendAsync(chat(true, 40), HttpResponse.BodyHandlers.ofLines())
                .thenApply(r -> {
                    r.body().forEach(line -> {
                        synchronized (lines) {
                            lines.add(line);
                        }
                        if (line.startsWith("data:")) {
                            firstChunk.countDown();
                        }
                    });
                    return HttpResponse.class.cast(r);
                });
        assertThat(firstChunk.await(30, TimeUnit.SECONDS)).as("first SSE chunk").isTrue();

        var docker = DockerClientFactory.instance().client();
        String id = interceptor.getContainerId();
        docker.stopContainerCmd(id).withTimeout(60).exec(); // SIGTERM, SIGKILL only after 60 s

        stream.get(30, TimeUnit.SECONDS);
        List<String> data;
        synchronized (lines) {
            data = lines.stream().filter(l -> l.startsWith("data:")).collect(Collectors.toList());
        }
        assertThat(data).hasSizeGreaterThan(40).last().isEqualTo("data: [DONE]");
        Long exit = docker.inspectContainerCmd(id).exec().getState().getExitCodeLong();
        assertThat(exit).as("exit code after SIGTERM\n" + interceptor.getLogs()).isEqualTo(0L);
        assertThat(interceptor.getLogs()).doesNotContain("Exception");
    }

    /**
     * {@code JDK_JAVA_OPTIONS} (the chart's {@code *.javaOptions}) overrides an image's own flags:
     * java would put it before the entrypoint's flags, where those would win, so each entrypoint
     * places it after them itself. Checked on the flag each image sets and a user would change.
     * ({@code -version} in {@code JDK_JAVA_OPTIONS} itself java would refuse; on the command line,
     * where the entrypoint puts it, it prints the version and exits before {@code -jar}.)
     */
    @Test
    @Order(7)
    void jdkJavaOptionsOverrideTheImagesFlags() {
        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put(INTERCEPTOR, new String[] {"-Xmx300m", "MaxHeapSize\\s+= 314572800\\b"}); // jvm.options: -Xmx256m
        cases.put(SCALER, new String[] {"-XX:MaxRAMPercentage=50", "MaxRAMPercentage\\s+= 50\\.0"}); // image: 75
        if (Files.isRegularFile(Repo.root().resolve("controller/target/wakegate-controller.jar"))) {
            cases.put(CONTROLLER, new String[] {"-XX:MaxRAMPercentage=50", "MaxRAMPercentage\\s+= 50\\.0"});
        }
        cases.forEach((image, flagAndFinal) -> {
            try (var c = locked(image)
                    .withEnv("JDK_JAVA_OPTIONS", flagAndFinal[0] + " -XX:+PrintFlagsFinal -version")
                    .withStartupCheckStrategy(new org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy()
                            .withTimeout(Duration.ofSeconds(60)))) {
                c.start();
                assertThat(c.getLogs()).as(image).containsPattern(flagAndFinal[1]).contains("OpenJDK");
            }
        });
    }

    // ---

    /** As the chart runs containers: read-only root, /tmp tmpfs, no capabilities, no privilege gain. */
    private static GenericContainer<?> locked(String image) {
        GenericContainer<?> container = new GenericContainer<>(image);
        container.withTmpFs(Map.of("/tmp", "rw,size=64m"));
        container.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                .withReadonlyRootfs(true)
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges")));
        return container;
    }

    private static HttpRequest chat(boolean stream, int maxTokens) {
        String prompt = String.join(" ", java.util.Collections.nCopies(60, "token"));
        return HttpRequest.newBuilder(URI.create("http://" + interceptor.getHost() + ":"
                        + interceptor.getMappedPort(8080) + "/v1/chat/completions"))
                .timeout(Duration.ofMinutes(2))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"demo\",\"stream\":" + stream
                        + ",\"max_tokens\":" + maxTokens + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}"))
                .build();
    }

    private static ServingStatus health() {
        return HealthGrpc.newBlockingStub(scalerChannel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("").build()).getStatus();
    }

    private static String get(GenericContainer<?> c, int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + c.getHost() + ":" + c.getMappedPort(port) + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void requireDocker() {
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            available = false;
        }
        if (!available) {
            if ("1".equals(System.getenv("WAKEGATE_REQUIRE_DOCKER"))) {
                throw new AssertionError("WAKEGATE_REQUIRE_DOCKER=1 but no Docker engine answers: the image tests must run "
                        + "(.ci/docker-setup installs and starts one)");
            }
            Assumptions.abort("no Docker engine: image tests skipped (set WAKEGATE_REQUIRE_DOCKER=1 to make this a failure)");
        }
    }

    /** deploy/images/build.sh: the base once, then the application images from the jars. */
    private static void buildImages() throws Exception {
        Path log = Repo.root().resolve("deploy/target/images-build.log");
        Files.createDirectories(log.getParent());
        Process build = new ProcessBuilder("bash", Repo.root().resolve("deploy/images/build.sh").toString())
                .directory(Repo.root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!build.waitFor(15, TimeUnit.MINUTES)) {
            build.destroyForcibly();
            throw new AssertionError("deploy/images/build.sh did not finish in 15 min; log: " + log);
        }
        assertThat(build.exitValue()).as("deploy/images/build.sh failed:\n" + Files.readString(log)).isZero();
    }
}
