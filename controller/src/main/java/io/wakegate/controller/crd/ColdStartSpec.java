package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Holding while the model wakes, and what a held client sees meanwhile: {@code streamKeepAlive},
 * {@code waitingPage} and {@code failover} are each off when absent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.streamKeepAlive) || self.streamKeepAlive.afterSeconds < self.timeoutSeconds",
    message = "streamKeepAlive.afterSeconds must be below timeoutSeconds", fieldPath = ".streamKeepAlive.afterSeconds")
@ValidationRule(value = "!has(self.failover) || !has(self.failover.afterSeconds) "
    + "|| self.failover.afterSeconds < self.timeoutSeconds",
    message = "failover.afterSeconds must be below timeoutSeconds", fieldPath = ".failover.afterSeconds")
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
    String readinessPath,

    @JsonPropertyDescription("Streaming requests (\"stream\": true, or Accept: text/event-stream) still held after "
        + "afterSeconds get 200 and SSE headers at once, then an SSE comment every intervalSeconds until the model "
        + "answers. Unset: off.")
    StreamKeepAliveSpec streamKeepAlive,

    @JsonPropertyDescription("Browsers (a GET accepting text/html) still held after afterSeconds get a 503 HTML page "
        + "that says the model is waking and refreshes itself; API clients never do. Unset: off.")
    WaitingPageSpec waitingPage,

    @JsonPropertyDescription("A held request goes to this backend instead after afterSeconds and/or when the hold "
        + "queue is full; the response carries X-Wakegate-Failover: true and the model still wakes. Unset: off.")
    FailoverSpec failover) {

  public static final int DEFAULT_TIMEOUT_SECONDS = 600;
  public static final int DEFAULT_MAX_PENDING_REQUESTS = 100;

  public ColdStartSpec {
    timeoutSeconds = timeoutSeconds != null ? timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
    maxPendingRequests = maxPendingRequests != null ? maxPendingRequests : DEFAULT_MAX_PENDING_REQUESTS;
    readinessPath = readinessPath != null && !readinessPath.isEmpty() ? readinessPath : null;
  }

  /** Holding only: no keep-alive, waiting page or failover. */
  public ColdStartSpec(Integer timeoutSeconds, Integer maxPendingRequests, String readinessPath) {
    this(timeoutSeconds, maxPendingRequests, readinessPath, null, null, null);
  }
}
