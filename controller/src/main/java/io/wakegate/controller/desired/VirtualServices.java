package io.wakegate.controller.desired;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.wakegate.controller.crd.IstioSpec;
import io.wakegate.controller.crd.MatchSpec;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Istio VirtualService of a ModelHost: its hosts, through its gateways, matching its path
 * prefixes and headers, to the interceptor Service. The Host header is left as the client sent
 * it (no authority rewrite) because the interceptors route on it; retries are off because a
 * model request is not idempotent (a retried generation costs a second GPU run); the route
 * timeout covers a whole cold start plus the wait for response headers.
 */
public final class VirtualServices {

  public static final String API_VERSION = "networking.istio.io/v1";
  public static final String KIND = "VirtualService";

  private VirtualServices() {
  }

  public static GenericKubernetesResource desired(ModelHost host, Settings settings) {
    ModelHostSpec spec = host.getSpec();
    MatchSpec match = spec.match();
    List<Map<String, Object>> matches = new ArrayList<>();
    for (String prefix : match.pathPrefixes()) {
      Map<String, Object> one = Maps.of("uri", Maps.of("prefix", Routes.normalizePath(prefix)));
      if (!match.headers().isEmpty()) {
        Map<String, Object> headers = Maps.of();
        match.headers().forEach(h -> headers.put(h.name().toLowerCase(Locale.ROOT), Maps.of("exact", h.value())));
        one.put("headers", headers);
      }
      matches.add(one);
    }
    Map<String, Object> route = Maps.of(
        "name", Names.HTTP_ROUTE_NAME,
        "match", matches,
        "route", List.of(Maps.of("destination",
            Maps.of("host", settings.interceptorHost(), "port", Maps.of("number", settings.interceptorPort())))),
        "timeout", timeoutSeconds(spec) + "s",
        "retries", Maps.of("attempts", 0));
    Map<String, Object> vsSpec = Maps.of("hosts", lowerCase(match.hosts()));
    if (!spec.istio().gateways().isEmpty()) {
      vsSpec.put("gateways", spec.istio().gateways());
    }
    vsSpec.put("http", List.of(route));
    return Owners.generated(host, API_VERSION, KIND, Names.virtualService(host), vsSpec);
  }

  /** The route timeout: as configured, else cold-start timeout + response-header timeout. 0 = none. */
  static long timeoutSeconds(ModelHostSpec spec) {
    IstioSpec istio = spec.istio();
    if (istio.timeoutSeconds() != null) {
      return istio.timeoutSeconds();
    }
    return (long) spec.coldStart().timeoutSeconds() + spec.responseHeaderTimeoutSeconds();
  }

  private static List<String> lowerCase(List<String> hosts) {
    return hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
  }
}
