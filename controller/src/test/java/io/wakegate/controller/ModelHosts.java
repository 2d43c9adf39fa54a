package io.wakegate.controller;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.wakegate.controller.crd.ColdStartSpec;
import io.wakegate.controller.crd.IstioSpec;
import io.wakegate.controller.crd.MatchSpec;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostSpec;
import io.wakegate.controller.crd.ReplicasSpec;
import io.wakegate.controller.crd.ScalingSpec;
import io.wakegate.controller.crd.TargetSpec;
import io.wakegate.controller.desired.Settings;
import java.util.List;

/** Test fixtures: ModelHosts with the defaults filled in, and the controller settings. */
public final class ModelHosts {

  public static final Settings SETTINGS =
      new Settings("wakegate", "wakegate-scaler.wakegate:9090", "wakegate-interceptor", 8080, "cluster.local");

  private ModelHosts() {
  }

  /** A ModelHost for host {@code <name>.example.com}, path "/", Deployment and Service {@code <name>}, port 8000. */
  public static ModelHost modelHost(String namespace, String name) {
    return modelHost(namespace, name, spec(List.of(name + ".example.com"), List.of("/"), name));
  }

  public static ModelHost modelHost(String namespace, String name, ModelHostSpec spec) {
    ModelHost host = new ModelHost();
    host.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withUid("uid-" + name)
        .withGeneration(1L).build());
    host.setSpec(spec);
    return host;
  }

  /** {@code spec} holding as {@code coldStart} says. */
  public static ModelHostSpec withColdStart(ModelHostSpec spec, ColdStartSpec coldStart) {
    return new ModelHostSpec(spec.match(), spec.target(), spec.replicas(), spec.scaling(), coldStart,
        spec.maxConcurrencyPerEndpoint(), spec.responseHeaderTimeoutSeconds(), spec.forwardTo(), spec.istio());
  }

  public static ModelHostSpec spec(List<String> hosts, List<String> paths, String target) {
    return spec(hosts, paths, target, List.of());
  }

  /** As above, serving {@code models} (the OpenAI model names) there. */
  public static ModelHostSpec spec(List<String> hosts, List<String> paths, String target, List<String> models) {
    return new ModelHostSpec(
        new MatchSpec(hosts, paths, List.of(), models),
        new TargetSpec(null, target, null, new IntOrString(8000)),
        new ReplicasSpec(0, 3),
        new ScalingSpec(ScalingSpec.Metric.CONCURRENCY, 4.0, "2m", 0.5, 600, 15),
        new ColdStartSpec(300, 50, "/health"),
        2, 120, ModelHostSpec.ForwardTo.Pods,
        new IstioSpec(true, List.of("istio-system/public"), null));
  }
}
