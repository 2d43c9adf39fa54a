package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Request matching: a request belongs to the model host when its host is one of {@code hosts},
 * its path starts (on a segment boundary) with one of {@code pathPrefixes}, every header in
 * {@code headers} has exactly the given value, and, when {@code models} is set, it names one of
 * them (the {@code model} field of an OpenAI request body).
 *
 * <p>Every list and string is bounded and checked with plain OpenAPI ({@code pattern},
 * {@code maxItems}, {@code maxLength}) rather than CEL: the API server rejects a CEL rule whose
 * estimated cost over unbounded lists and strings exceeds its budget.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MatchSpec(
    @Required
    @Size(min = 1, max = MAX_HOSTS)
    @JsonPropertyDescription("Host names (without port), lower case; '*.example.com' matches subdomains.")
    List<@Pattern(HOST_PATTERN) @Size(min = 1, max = 253) String> hosts,

    @Size(max = MAX_PATH_PREFIXES)
    @JsonPropertyDescription("Path prefixes, each starting with '/'. Default: [\"/\"].")
    List<@Pattern("^/") @Size(min = 1, max = 1024) String> pathPrefixes,

    @Size(max = MAX_HEADERS)
    @JsonPropertyDescription("Exact header matches, all required.")
    List<HeaderMatch> headers,

    @Size(max = MAX_MODELS)
    @JsonPropertyDescription("OpenAI model names this host serves (the 'model' field of the request body; several "
        + "names are aliases), matched exactly, case-sensitive, 1-256 visible ASCII characters. ModelHosts with "
        + "different models may share hosts, path prefixes and headers. Empty: no match by model (serves the "
        + "requests naming no model).")
    List<@Pattern(MODEL_PATTERN) @Size(min = 1, max = MAX_MODEL_LENGTH) String> models) {

  public static final String DEFAULT_PATH_PREFIX = "/";
  /** A lower-case DNS name, optionally starting with {@code *.}. */
  public static final String HOST_PATTERN = "^(\\*\\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";
  public static final int MAX_HOSTS = 64;
  public static final int MAX_PATH_PREFIXES = 32;
  public static final int MAX_HEADERS = 16;
  /** Visible ASCII (0x21-0x7E): no spaces, no control characters. */
  public static final String MODEL_PATTERN = "^[!-~]+$";
  public static final int MAX_MODELS = 64;
  public static final int MAX_MODEL_LENGTH = 256;

  public MatchSpec {
    hosts = hosts != null ? List.copyOf(hosts) : List.of();
    pathPrefixes = pathPrefixes != null && !pathPrefixes.isEmpty() ? List.copyOf(pathPrefixes) : List.of(DEFAULT_PATH_PREFIX);
    headers = headers != null ? List.copyOf(headers) : List.of();
    models = models != null ? List.copyOf(models) : List.of();
  }

  /** A match without models. */
  public MatchSpec(List<String> hosts, List<String> pathPrefixes, List<HeaderMatch> headers) {
    this(hosts, pathPrefixes, headers, null);
  }

  /** {@code models} without repeats, in declared order (a name listed twice is served once). */
  public List<String> distinctModels() {
    return models.stream().distinct().toList();
  }

  /** One exact header match. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HeaderMatch(
      @Required @Size(min = 1, max = 256) @Pattern("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
      @JsonPropertyDescription("Header name (case-insensitive).") String name,
      @Required @Size(max = 4096) @JsonPropertyDescription("Exact value.") String value) {
  }
}
