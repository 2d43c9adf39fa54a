package io.wakegate.controller.desired;

import java.util.Objects;
import java.util.Set;

/**
 * Controller-wide inputs of the desired-state functions.
 *
 * @param wakegateNamespace namespace of the interceptors, the scaler and the route-table ConfigMap
 * @param scalerAddress {@code host:port} of the scaler's KEDA gRPC port, written into every trigger
 * @param interceptorService name of the interceptors' Service in {@code wakegateNamespace}
 * @param interceptorPort its HTTP port, the VirtualService's destination port
 * @param clusterDomain the cluster's DNS domain, for the interceptor's FQDN
 * @param scalerAuthentication the KEDA (Cluster)TriggerAuthentication every trigger refers to, for
 *     TLS to the scaler; null: none
 */
public record Settings(String wakegateNamespace, String scalerAddress, String interceptorService,
    int interceptorPort, String clusterDomain, AuthenticationRef scalerAuthentication) {

  /** A trigger's {@code authenticationRef}: {@code TriggerAuthentication} or {@code ClusterTriggerAuthentication}, by name. */
  public record AuthenticationRef(String kind, String name) {

    static final Set<String> KINDS = Set.of("TriggerAuthentication", "ClusterTriggerAuthentication");

    public AuthenticationRef {
      if (!KINDS.contains(kind)) {
        throw new IllegalArgumentException("kind: " + kind + " (expected: TriggerAuthentication or ClusterTriggerAuthentication)");
      }
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("name: empty (expected: the name of a " + kind + ")");
      }
    }

    /** Parses {@code KIND/NAME}, or {@code NAME} (a TriggerAuthentication in each ModelHost's namespace). */
    public static AuthenticationRef parse(String value) {
      int slash = value.indexOf('/');
      return slash < 0 ? new AuthenticationRef("TriggerAuthentication", value)
          : new AuthenticationRef(value.substring(0, slash), value.substring(slash + 1));
    }
  }

  /** Settings without scaler authentication. */
  public Settings(String wakegateNamespace, String scalerAddress, String interceptorService, int interceptorPort,
      String clusterDomain) {
    this(wakegateNamespace, scalerAddress, interceptorService, interceptorPort, clusterDomain, null);
  }

  public Settings {
    Objects.requireNonNull(wakegateNamespace, "wakegateNamespace");
    Objects.requireNonNull(scalerAddress, "scalerAddress");
    Objects.requireNonNull(interceptorService, "interceptorService");
    Objects.requireNonNull(clusterDomain, "clusterDomain");
    if (interceptorPort < 1 || interceptorPort > 65535) {
      throw new IllegalArgumentException("interceptorPort: " + interceptorPort + " (expected: 1-65535)");
    }
  }

  /** The interceptor Service's fully qualified name, the VirtualService's destination host. */
  public String interceptorHost() {
    return interceptorService + "." + wakegateNamespace + ".svc." + clusterDomain;
  }
}
