package io.wakegate.controller.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The HTML page a held browser request gets while the model wakes ({@code Hold.waiting_page}).
 * The template's {@code maxLength} counts characters and the route table's limit is 64 KiB of
 * UTF-8, so a rule counts the bytes too (on the object: a rule on a record component is
 * generated twice, once from the field and once from the accessor).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.template) || size(bytes(self.template)) <= " + WaitingPageSpec.MAX_TEMPLATE_BYTES,
    message = "template must be at most 65536 bytes of UTF-8", fieldPath = ".template")
public record WaitingPageSpec(
    @Default("0")
    @Min(0)
    @JsonPropertyDescription("Time held before the page is sent, in seconds; 0 = at once.")
    Integer afterSeconds,

    @Min(1)
    @JsonPropertyDescription("The page's refresh interval, in seconds. Unset: from the model's observed cold starts.")
    Integer refreshSeconds,

    @Size(max = MAX_TEMPLATE_BYTES)
    @JsonPropertyDescription("The page's HTML, inline, at most 64 KiB; {{route}}, {{model}}, {{elapsedSeconds}}, "
        + "{{retryAfterSeconds}} and {{refreshSeconds}} are replaced (HTML-escaped). Unset: the built-in page.")
    String template) {

  public static final int DEFAULT_AFTER_SECONDS = 0;
  /** 64 KiB, counted in UTF-8 bytes (the route table's limit). */
  public static final int MAX_TEMPLATE_BYTES = 65536;

  public WaitingPageSpec {
    afterSeconds = afterSeconds != null ? afterSeconds : DEFAULT_AFTER_SECONDS;
    template = template != null && !template.isEmpty() ? template : null;
  }
}
