package io.wakegate.interceptor.config;

import java.util.List;

/**
 * Where a route's requests go. Exactly one kind is set.
 *
 * <p>Adding a kind: add a record component (with its YAML key in {@link #KINDS}, same
 * order), pass it in the two {@code Checks.exactlyOneKind} calls (here and in the
 * validator), and give the raw YAML record ({@code RawConfig.Backend}) the same field.
 *
 * @param staticBackend  fixed URLs, YAML key {@code static}
 * @param processBackend a local process started on demand, YAML key {@code process}
 * @param kubernetesBackend a Kubernetes Service's endpoints, YAML key {@code kubernetes}
 */
public record BackendConfig(StaticBackendConfig staticBackend, ProcessBackendConfig processBackend,
                            KubernetesBackendConfig kubernetesBackend) {

    /** The YAML key of each backend kind, in component order. */
    public static final List<String> KINDS = List.of("static", "process", "kubernetes");

    public BackendConfig {
        Checks.require("backend", Checks.exactlyOneKind(staticBackend, processBackend, kubernetesBackend));
    }

    /** A static or process backend (the kinds of a local configuration). */
    public BackendConfig(StaticBackendConfig staticBackend, ProcessBackendConfig processBackend) {
        this(staticBackend, processBackend, null);
    }

    /** The YAML key of the kind that is set, e.g. {@code "static"}. */
    public String kind() {
        return KINDS.get(Checks.firstNonNull(staticBackend, processBackend, kubernetesBackend));
    }

    public static BackendConfig ofStatic(StaticBackendConfig staticBackend) {
        return new BackendConfig(staticBackend, null, null);
    }

    public static BackendConfig ofProcess(ProcessBackendConfig processBackend) {
        return new BackendConfig(null, processBackend, null);
    }

    public static BackendConfig ofKubernetes(KubernetesBackendConfig kubernetesBackend) {
        return new BackendConfig(null, null, kubernetesBackend);
    }
}
