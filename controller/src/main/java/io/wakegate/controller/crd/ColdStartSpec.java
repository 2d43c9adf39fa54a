package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Holding while the model wakes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ColdStartSpec(
    @Default("600")
    @Min(1)
    @JsonPropertyDescription("Longest time a request is held waiting for a ready endpoint before a 504, in seconds.")
    Integer timeoutSeconds,

    @Default("100")
    @Min(1)
    @JsonPropertyDescription("Most requests held at once; one more is answered 503 with Retry-After.")
    Integer maxPendingRequests,

    @Pattern("^/.*")
    @JsonPropertyDescription("HTTP path probed (GET, 2xx) on each new endpoint before it gets traffic, so requests "
        + "wait for the model to be loaded, not just the pod to be Ready. Unset: EndpointSlice readiness only.")
    String readinessPath) {

  public static final int DEFAULT_TIMEOUT_SECONDS = 600;
  public static final int DEFAULT_MAX_PENDING_REQUESTS = 100;

  public ColdStartSpec {
    timeoutSeconds = timeoutSeconds != null ? timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
    maxPendingRequests = maxPendingRequests != null ? maxPendingRequests : DEFAULT_MAX_PENDING_REQUESTS;
    readinessPath = readinessPath != null && !readinessPath.isEmpty() ? readinessPath : null;
  }
}
