package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** How the scaler turns demand into replicas (the external-push trigger's metadata) and KEDA's timing. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScalingSpec(
    @Default("concurrency")
    @JsonPropertyDescription("concurrency: held + in-flight requests averaged over the window; "
        + "requestRate: requests per second over the window.")
    Metric metric,

    @Default("10")
    @Min(value = 0, inclusive = false)
    @JsonPropertyDescription("The metric's value one replica should carry.")
    Double targetValue,

    @Default("60s")
    @Pattern(WINDOW_PATTERN)
    @JsonPropertyDescription("Averaging window: '30s', '2m', '1m30s', '500ms' or plain seconds.")
    String window,

    @Default("0")
    @Min(0)
    @JsonPropertyDescription("Active (scaled from zero) while the metric over the window is above this, "
        + "or anything is held or in flight.")
    Double activationThreshold,

    @Default("900")
    @Min(0)
    @Max(3600)
    @JsonPropertyDescription("Seconds without demand before scaling to zero (KEDA cooldownPeriod), and the "
        + "HPA's scale-down stabilisation window. Long by default: reloading a model takes minutes.")
    Integer scaleDownPeriodSeconds,

    @Default("30")
    @Min(1)
    @JsonPropertyDescription("How often KEDA asks for the metric, in seconds (activation is pushed at once).")
    Integer pollingIntervalSeconds) {

  public static final String WINDOW_PATTERN = "^([0-9]+(ms|s|m|h))+$|^[0-9]+$";
  public static final double DEFAULT_TARGET_VALUE = 10;
  public static final String DEFAULT_WINDOW = "60s";
  public static final int DEFAULT_SCALE_DOWN_PERIOD_SECONDS = 900;
  public static final int DEFAULT_POLLING_INTERVAL_SECONDS = 30;

  public ScalingSpec {
    metric = metric != null ? metric : Metric.CONCURRENCY;
    targetValue = targetValue != null ? targetValue : DEFAULT_TARGET_VALUE;
    window = window != null && !window.isEmpty() ? window : DEFAULT_WINDOW;
    activationThreshold = activationThreshold != null ? activationThreshold : 0.0;
    scaleDownPeriodSeconds = scaleDownPeriodSeconds != null ? scaleDownPeriodSeconds : DEFAULT_SCALE_DOWN_PERIOD_SECONDS;
    pollingIntervalSeconds = pollingIntervalSeconds != null ? pollingIntervalSeconds : DEFAULT_POLLING_INTERVAL_SECONDS;
  }

  /** The scaler's metrics; the JSON names are the scaler's {@code metric} metadata values. */
  public enum Metric {
    @JsonProperty("concurrency") CONCURRENCY("concurrency"),
    @JsonProperty("requestRate") REQUEST_RATE("requestRate");

    private final String wireName;

    Metric(String wireName) {
      this.wireName = wireName;
    }

    /** The value of the trigger's {@code metric} key. */
    public String wireName() {
      return wireName;
    }
  }
}
