package io.wakegate.controller.desired;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostSpec;
import io.wakegate.controller.crd.ScalingSpec;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The KEDA ScaledObject of a ModelHost: its workload as {@code scaleTargetRef}, the replica
 * bounds, KEDA's timing, an HPA behaviour that scales up at once and down slowly, and one
 * {@code external-push} trigger carrying the metadata the Wakegate scaler reads. It never
 * names a replica count of the workload: replicas belong to KEDA.
 */
public final class ScaledObjects {

  public static final String API_VERSION = "keda.sh/v1alpha1";
  public static final String KIND = "ScaledObject";
  public static final String TRIGGER_TYPE = "external-push";

  /** Scale-up: no stabilisation; double or add four pods every 15 s, whichever is more. */
  static final int SCALE_UP_PERIOD_SECONDS = 15;
  static final int SCALE_UP_PODS = 4;
  static final int SCALE_UP_PERCENT = 100;
  /** Scale-down, after the stabilisation window: at most one pod a minute. */
  static final int SCALE_DOWN_PODS = 1;
  static final int SCALE_DOWN_PERIOD_SECONDS = 60;

  private ScaledObjects() {
  }

  public static GenericKubernetesResource desired(ModelHost host, ResolvedTarget target, Settings settings) {
    ModelHostSpec spec = host.getSpec();
    ScalingSpec scaling = spec.scaling();
    Map<String, Object> scaleUp = Maps.of(
        "stabilizationWindowSeconds", 0,
        "selectPolicy", "Max",
        "policies", List.of(
            Maps.of("type", "Percent", "value", SCALE_UP_PERCENT, "periodSeconds", SCALE_UP_PERIOD_SECONDS),
            Maps.of("type", "Pods", "value", SCALE_UP_PODS, "periodSeconds", SCALE_UP_PERIOD_SECONDS)));
    Map<String, Object> scaleDown = Maps.of(
        "stabilizationWindowSeconds", scaling.scaleDownPeriodSeconds(),
        "selectPolicy", "Min",
        "policies", List.of(
            Maps.of("type", "Pods", "value", SCALE_DOWN_PODS, "periodSeconds", SCALE_DOWN_PERIOD_SECONDS)));
    Map<String, Object> metadata = Maps.of(
        "scalerAddress", settings.scalerAddress(),
        "route", Names.route(host),
        "metric", scaling.metric().wireName(),
        "targetValue", decimal(scaling.targetValue()),
        "window", scaling.window(),
        "activationThreshold", decimal(scaling.activationThreshold()));
    Map<String, Object> soSpec = Maps.of(
        "scaleTargetRef", Maps.of("apiVersion", "apps/v1", "kind", target.kind().name(), "name", target.workload()),
        "minReplicaCount", spec.replicas().min(),
        "maxReplicaCount", spec.replicas().max(),
        "pollingInterval", scaling.pollingIntervalSeconds(),
        "cooldownPeriod", scaling.scaleDownPeriodSeconds(),
        "advanced", Maps.of("horizontalPodAutoscalerConfig",
            Maps.of("behavior", Maps.of("scaleUp", scaleUp, "scaleDown", scaleDown))),
        "triggers", List.of(trigger(metadata, settings.scalerAuthentication())));
    return Owners.generated(host, API_VERSION, KIND, Names.scaledObject(host), soSpec);
  }

  /** The external-push trigger; with TLS to the scaler, KEDA takes its certificates from the authentication. */
  private static Map<String, Object> trigger(Map<String, Object> metadata, Settings.AuthenticationRef auth) {
    Map<String, Object> trigger = Maps.of("type", TRIGGER_TYPE, "name", Names.TRIGGER_NAME, "metadata", metadata);
    if (auth != null) {
      trigger.put("authenticationRef", Maps.of("kind", auth.kind(), "name", auth.name()));
    }
    return trigger;
  }

  /** A number as the scaler's metadata wants it: plain decimal, no exponent, no trailing zeros. */
  static String decimal(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
