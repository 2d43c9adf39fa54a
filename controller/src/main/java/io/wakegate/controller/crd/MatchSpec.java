package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Request matching: a request belongs to the model host when its host is one of {@code hosts},
 * its path starts (on a segment boundary) with one of {@code pathPrefixes}, and every header in
 * {@code headers} has exactly the given value.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.hosts.all(h, h.matches('^(\\\\*\\\\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'))",
    message = "hosts must be lower-case DNS names, optionally starting with '*.'")
@ValidationRule(value = "!has(self.pathPrefixes) || self.pathPrefixes.all(p, p.startsWith('/'))",
    message = "path prefixes must start with '/'")
public record MatchSpec(
    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Host names (without port), lower case; '*.example.com' matches subdomains.")
    List<String> hosts,

    @JsonPropertyDescription("Path prefixes, each starting with '/'. Default: [\"/\"].")
    List<String> pathPrefixes,

    @JsonPropertyDescription("Exact header matches, all required.")
    List<HeaderMatch> headers) {

  public static final String DEFAULT_PATH_PREFIX = "/";

  public MatchSpec {
    hosts = hosts != null ? List.copyOf(hosts) : List.of();
    pathPrefixes = pathPrefixes != null && !pathPrefixes.isEmpty() ? List.copyOf(pathPrefixes) : List.of(DEFAULT_PATH_PREFIX);
    headers = headers != null ? List.copyOf(headers) : List.of();
  }

  /** One exact header match. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HeaderMatch(
      @Required @JsonPropertyDescription("Header name (case-insensitive).") String name,
      @Required @JsonPropertyDescription("Exact value.") String value) {
  }
}
