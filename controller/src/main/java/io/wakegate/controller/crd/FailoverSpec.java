package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Another backend a held request goes to instead of failing ({@code Hold.failover}). {@code
 * afterSeconds} below the cold-start timeout is checked by {@link ColdStartSpec}'s rule.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.afterSeconds) || self.onQueueFull",
    message = "failover needs afterSeconds, or onQueueFull true")
public record FailoverSpec(
    @Required
    @Size(max = MAX_URL_LENGTH)
    @Pattern(URL_PATTERN)
    @JsonPropertyDescription("Base URL of the failover backend: http://host[:port], no path. Plain HTTP: in a mesh, "
        + "the sidecar or an egress gateway originates TLS to an external API and adds its auth headers; "
        + "never put credentials here.")
    String url,

    @Min(1)
    @JsonPropertyDescription("Time held before failing over, in seconds; below coldStart.timeoutSeconds. "
        + "Unset: not on time alone.")
    Integer afterSeconds,

    @Default("true")
    @JsonPropertyDescription("Fail over when the hold queue is full, instead of answering 503.")
    Boolean onQueueFull) {

  /** {@code http://}, a host name or bracketed IPv6 address, an optional port, an optional "/"; nothing else. */
  public static final String URL_PATTERN =
      "^http://([A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?/?$";
  public static final int MAX_URL_LENGTH = 512;

  public FailoverSpec {
    onQueueFull = onQueueFull != null ? onQueueFull : Boolean.TRUE;
  }

  /** The URL without a trailing "/", as the route table carries it. */
  public String baseUrl() {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
