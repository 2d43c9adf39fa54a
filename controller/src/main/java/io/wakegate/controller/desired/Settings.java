package io.wakegate.controller.desired;

import java.util.Objects;

/**
 * Controller-wide inputs of the desired-state functions.
 *
 * @param wakegateNamespace namespace of the interceptors, the scaler and the route-table ConfigMap
 * @param scalerAddress {@code host:port} of the scaler's KEDA gRPC port, written into every trigger
 * @param interceptorService name of the interceptors' Service in {@code wakegateNamespace}
 * @param interceptorPort its HTTP port, the VirtualService's destination port
 * @param clusterDomain the cluster's DNS domain, for the interceptor's FQDN
 */
public record Settings(String wakegateNamespace, String scalerAddress, String interceptorService,
    int interceptorPort, String clusterDomain) {

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
