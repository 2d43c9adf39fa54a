package io.wakegate.controller.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.TargetSpec;
import java.util.List;
import java.util.stream.Collectors;

/** Resolves a ModelHost's target against what the cluster has: the workload, the Service, the port. */
public final class Targets {

  public static final String REASON_FOUND = "Found";
  public static final String REASON_WORKLOAD_NOT_FOUND = "WorkloadNotFound";
  public static final String REASON_SERVICE_NOT_FOUND = "ServiceNotFound";
  public static final String REASON_PORT_NOT_FOUND = "PortNotFound";

  private Targets() {
  }

  /** The outcome: a target, or why there is none. */
  public sealed interface Resolution permits Found, Missing {
  }

  /** Everything the desired objects need. */
  public record Found(ResolvedTarget target) implements Resolution {
  }

  /** A CamelCase reason and a message naming what is missing. */
  public record Missing(String reason, String message) implements Resolution {
  }

  /**
   * @param workload the Deployment or StatefulSet named by the spec, or null when absent
   * @param service the Service named by the spec, or null when absent
   */
  public static Resolution resolve(ModelHost host, HasMetadata workload, Service service) {
    TargetSpec spec = host.getSpec().target();
    String ns = host.getMetadata().getNamespace();
    if (workload == null) {
      return new Missing(REASON_WORKLOAD_NOT_FOUND, spec.kind() + " " + ns + "/" + spec.name() + " not found");
    }
    if (service == null) {
      return new Missing(REASON_SERVICE_NOT_FOUND, "Service " + ns + "/" + spec.service() + " not found");
    }
    List<ServicePort> ports = service.getSpec() != null && service.getSpec().getPorts() != null
        ? service.getSpec().getPorts() : List.of();
    IntOrString wanted = spec.port();
    ServicePort port = null;
    if (wanted == null) {
      if (ports.size() == 1) {
        port = ports.get(0);
      } else {
        return new Missing(REASON_PORT_NOT_FOUND, "Service " + ns + "/" + spec.service() + " has " + ports.size()
            + " ports " + describe(ports) + "; set spec.target.port");
      }
    } else {
      for (ServicePort candidate : ports) {
        boolean matches = wanted.getIntVal() != null
            ? wanted.getIntVal().equals(candidate.getPort())
            : wanted.getStrVal() != null && wanted.getStrVal().equals(candidate.getName());
        if (matches) {
          port = candidate;
          break;
        }
      }
      if (port == null) {
        Object shown = wanted.getIntVal() != null ? wanted.getIntVal() : wanted.getStrVal();
        return new Missing(REASON_PORT_NOT_FOUND, "port " + shown + " is not on Service " + ns + "/" + spec.service()
            + " (ports: " + describe(ports) + ")");
      }
    }
    return new Found(new ResolvedTarget(spec.kind(), spec.name(), spec.service(), port.getPort(), port.getName()));
  }

  private static String describe(List<ServicePort> ports) {
    return ports.stream()
        .map(p -> p.getName() != null && !p.getName().isEmpty() ? p.getName() + "=" + p.getPort() : String.valueOf(p.getPort()))
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
