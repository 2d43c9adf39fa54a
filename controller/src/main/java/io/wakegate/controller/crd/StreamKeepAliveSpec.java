package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/**
 * Early SSE headers and keep-alive comments for a held streaming request ({@code Hold.stream_keep_alive}).
 * {@code afterSeconds} below the cold-start timeout is checked by {@link ColdStartSpec}'s rule.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamKeepAliveSpec(
    @Default("5")
    @Min(1)
    @JsonPropertyDescription("Time held before the early 200 and SSE headers, in seconds; below "
        + "coldStart.timeoutSeconds.")
    Integer afterSeconds,

    @Default("10")
    @Min(1)
    @JsonPropertyDescription("Time between SSE comment lines, in seconds.")
    Integer intervalSeconds) {

  public static final int DEFAULT_AFTER_SECONDS = 5;
  public static final int DEFAULT_INTERVAL_SECONDS = 10;

  public StreamKeepAliveSpec {
    afterSeconds = afterSeconds != null ? afterSeconds : DEFAULT_AFTER_SECONDS;
    intervalSeconds = intervalSeconds != null ? intervalSeconds : DEFAULT_INTERVAL_SECONDS;
  }
}
