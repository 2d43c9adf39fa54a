package io.wakegate.kubetest;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real Kubernetes API server (kube-apiserver + etcd, started by Fabric8's kube-api-test) per
 * test JVM, shared by every test class of a module and stopped when the JVM exits. Tests keep
 * out of each other's way with their own namespaces ({@link #newNamespace}).
 *
 * <p>The binaries are read from {@code $KUBE_API_TEST_DIR/k8s/<version>-linux-<arch>/} (default
 * {@code ~/.kubeapitest}), never downloaded: {@code tools/kube-test-binaries/build.sh} builds
 * them from Go modules, and the Maven build runs it before any test.
 *
 * <p>The server runs with RBAC authorization; {@link #admin()} is a cluster administrator (a
 * client certificate in {@code system:masters}), {@link #clientAs} a ServiceAccount with exactly
 * the permissions its bindings grant.
 */
public final class KubeApi {

    /** The kube-apiserver version the tests run against. */
    public static final String VERSION = "1.35.4";

    private static KubeApi shared;

    private final KubeAPIServer server;
    private final Path kubeConfig;
    private final Config adminConfig;
    private final KubernetesClient admin;
    private final AtomicInteger namespaces = new AtomicInteger();
    private ControllerManager controllerManager;

    private KubeApi() {
        Path dir = binariesDir();
        for (String binary : List.of("kube-apiserver", "etcd", "kubectl")) {
            if (!Files.isExecutable(dir.resolve(binary))) {
                throw new IllegalStateException("kube-apiserver v" + VERSION + " binaries not found in " + dir
                        + ": run tools/kube-test-binaries/build.sh (./mvnw verify runs it when Go is installed)");
            }
        }
        server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(testDir().toString())
                .withApiServerVersion(VERSION)
                .withOfflineMode(true)
                .withStartupTimeout(120_000)
                .build());
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "kube-api-stop"));
        String yaml = server.getKubeConfigYaml();
        try {
            kubeConfig = Files.createTempFile("wakegate-kubeconfig", ".yaml");
            Files.writeString(kubeConfig, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        adminConfig = Config.fromKubeconfig(yaml);
        admin = new KubernetesClientBuilder().withConfig(adminConfig).build();
    }

    /** The JVM's API server, started on first use (about 5-15 s). */
    public static synchronized KubeApi shared() {
        if (shared == null) {
            shared = new KubeApi();
        }
        return shared;
    }

    /** A client with cluster-admin rights, shared; do not close it. */
    public KubernetesClient admin() {
        return admin;
    }

    /** A new cluster-admin client; the caller closes it. */
    public KubernetesClient newAdminClient() {
        return new KubernetesClientBuilder().withConfig(adminConfig).build();
    }

    /** A new cluster-admin client whose responses {@code recorder} records. */
    public KubernetesClient newAdminClient(ApiRecorder recorder) {
        return new KubernetesClientBuilder().withConfig(adminConfig)
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("recorder", recorder))
                .build();
    }

    /** The admin client's configuration (server URL, CA, client certificate). */
    public Config adminConfig() {
        return adminConfig;
    }

    /** A kubeconfig file for the cluster administrator (for processes started by tests). */
    public Path kubeConfigFile() {
        return kubeConfig;
    }

    /** Creates a namespace named {@code prefix-N}, unique in this JVM, and returns its name. */
    public String newNamespace(String prefix) {
        String name = prefix.toLowerCase(Locale.ROOT) + "-" + namespaces.incrementAndGet();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
        return name;
    }

    /** Creates the namespace if it does not exist yet. */
    public void ensureNamespace(String name) {
        if (admin.namespaces().withName(name).get() == null) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                    .create();
        }
    }

    /**
     * A new client authenticated as ServiceAccount {@code namespace/name} (created if absent) with
     * a token from the TokenRequest API: it can do exactly what RBAC grants that account.
     */
    public KubernetesClient clientAs(String namespace, String name) {
        return clientAs(namespace, name, new ApiRecorder());
    }

    /** As {@link #clientAs(String, String)}, its responses recorded by {@code recorder}. */
    public KubernetesClient clientAs(String namespace, String name, ApiRecorder recorder) {
        ensureNamespace(namespace);
        if (admin.serviceAccounts().inNamespace(namespace).withName(name).get() == null) {
            admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                    .withNewMetadata().withName(name).endMetadata().build()).create();
        }
        TokenRequest token = admin.serviceAccounts().inNamespace(namespace).withName(name)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build());
        Config config = new ConfigBuilder(adminConfig)
                .withClientCertFile(null).withClientCertData(null)
                .withClientKeyFile(null).withClientKeyData(null)
                .withOauthToken(token.getStatus().getToken())
                .withNamespace(namespace)
                .build();
        return new KubernetesClientBuilder().withConfig(config)
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("recorder", recorder))
                .build();
    }

    /** kube-controller-manager (garbage collector) against this server, started on first use. */
    public synchronized ControllerManager controllerManager() {
        if (controllerManager == null) {
            controllerManager = new ControllerManager(binariesDir().resolve("kube-controller-manager"), kubeConfig);
        }
        return controllerManager;
    }

    private synchronized void stop() {
        if (controllerManager != null) {
            controllerManager.close();
        }
        admin.close();
        server.stop();
    }

    /** kube-api-test's directory: {@code $KUBE_API_TEST_DIR}, else {@code ~/.kubeapitest}. */
    static Path testDir() {
        String dir = System.getenv("KUBE_API_TEST_DIR");
        return dir != null && !dir.isEmpty() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".kubeapitest");
    }

    /** Where the binaries of {@link #VERSION} are, as kube-api-test lays them out. */
    static Path binariesDir() {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
        return testDir().resolve("k8s").resolve(VERSION + "-linux-" + arch);
    }
}
