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
 */
public record BackendConfig(StaticBackendConfig staticBackend, ProcessBackendConfig processBackend) {

    /** The YAML key of each backend kind, in component order. */
    public static final List<String> KINDS = List.of("static", "process");

    public BackendConfig {
        Checks.require("backend", Checks.exactlyOneKind(staticBackend, processBackend));
    }

    /** The YAML key of the kind that is set, e.g. {@code "static"}. */
    public String kind() {
        return KINDS.get(Checks.firstNonNull(staticBackend, processBackend));
    }

    public static BackendConfig ofStatic(StaticBackendConfig staticBackend) {
        return new BackendConfig(staticBackend, null);
    }

    public static BackendConfig ofProcess(ProcessBackendConfig processBackend) {
        return new BackendConfig(null, processBackend);
    }
}
