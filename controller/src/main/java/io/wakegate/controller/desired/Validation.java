package io.wakegate.controller.desired;

import io.wakegate.controller.crd.ColdStartSpec;
import io.wakegate.controller.crd.FailoverSpec;
import io.wakegate.controller.crd.MatchSpec;
import io.wakegate.controller.crd.ModelHost;
import io.wakegate.controller.crd.ModelHostSpec;
import io.wakegate.controller.crd.ScalingSpec;
import io.wakegate.controller.crd.StreamKeepAliveSpec;
import io.wakegate.controller.crd.WaitingPageSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks the CRD schema makes, made again in Java: an API server without the schema (an old
 * CRD, a test server) must not let a bad spec reach the ScaledObject or the route table (an
 * interceptor keeps its previous table rather than take one with a route it finds invalid).
 * Repeats among one ModelHost's models are no problem: they are served once.
 */
public final class Validation {

  private Validation() {
  }

  /** Every problem as {@code field: value (expected: ...)}, joined by "; ", or null when the spec is valid. */
  public static String problem(ModelHost host) {
    ModelHostSpec spec = host.getSpec();
    if (spec == null || spec.match() == null || spec.target() == null) {
      return "spec.match and spec.target are required";
    }
    List<String> problems = new ArrayList<>();
    if (spec.match().hosts().isEmpty()) {
      problems.add("spec.match.hosts: [] (expected: at least one host)");
    }
    spec.match().pathPrefixes().stream().filter(p -> !p.startsWith("/"))
        .forEach(p -> problems.add("spec.match.pathPrefixes: " + p + " (expected: starting with /)"));
    List<String> models = spec.match().models();
    if (models.size() > MatchSpec.MAX_MODELS) {
      problems.add("spec.match.models: " + models.size() + " names (expected: at most " + MatchSpec.MAX_MODELS + ")");
    }
    models.stream().filter(m -> m.length() > MatchSpec.MAX_MODEL_LENGTH || !m.matches(MatchSpec.MODEL_PATTERN))
        .forEach(m -> problems.add("spec.match.models: '" + m + "' (expected: 1-" + MatchSpec.MAX_MODEL_LENGTH
            + " visible ASCII characters, no spaces)"));
    if (spec.target().name() == null || spec.target().name().isEmpty()) {
      problems.add("spec.target.name: empty (expected: a Deployment or StatefulSet name)");
    }
    if (spec.replicas().min() < 0 || spec.replicas().max() < 1 || spec.replicas().min() > spec.replicas().max()) {
      problems.add("spec.replicas: min " + spec.replicas().min() + ", max " + spec.replicas().max()
          + " (expected: 0 <= min <= max, max >= 1)");
    }
    ScalingSpec scaling = spec.scaling();
    if (!(scaling.targetValue() > 0)) {
      problems.add("spec.scaling.targetValue: " + scaling.targetValue() + " (expected: > 0)");
    }
    if (!scaling.window().matches(ScalingSpec.WINDOW_PATTERN)) {
      problems.add("spec.scaling.window: " + scaling.window() + " (expected: like 30s, 2m, 1m30s, 500ms)");
    }
    if (scaling.scaleDownPeriodSeconds() < 0 || scaling.scaleDownPeriodSeconds() > 3600) {
      problems.add("spec.scaling.scaleDownPeriodSeconds: " + scaling.scaleDownPeriodSeconds() + " (expected: 0-3600)");
    }
    coldStart(spec.coldStart(), problems);
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  /** What a held client sees: the bounds of each option, and the times that must fall within the hold. */
  private static void coldStart(ColdStartSpec coldStart, List<String> problems) {
    int timeout = coldStart.timeoutSeconds();
    StreamKeepAliveSpec keepAlive = coldStart.streamKeepAlive();
    if (keepAlive != null) {
      if (keepAlive.afterSeconds() < 1 || keepAlive.afterSeconds() >= timeout) {
        problems.add("spec.coldStart.streamKeepAlive.afterSeconds: " + keepAlive.afterSeconds()
            + " (expected: >= 1, below coldStart.timeoutSeconds " + timeout + ")");
      }
      if (keepAlive.intervalSeconds() < 1) {
        problems.add("spec.coldStart.streamKeepAlive.intervalSeconds: " + keepAlive.intervalSeconds() + " (expected: >= 1)");
      }
    }
    WaitingPageSpec page = coldStart.waitingPage();
    if (page != null) {
      if (page.afterSeconds() < 0) {
        problems.add("spec.coldStart.waitingPage.afterSeconds: " + page.afterSeconds() + " (expected: >= 0)");
      }
      if (page.refreshSeconds() != null && page.refreshSeconds() < 1) {
        problems.add("spec.coldStart.waitingPage.refreshSeconds: " + page.refreshSeconds() + " (expected: >= 1)");
      }
      int templateBytes = page.template() != null ? page.template().getBytes(StandardCharsets.UTF_8).length : 0;
      if (templateBytes > WaitingPageSpec.MAX_TEMPLATE_BYTES) {
        problems.add("spec.coldStart.waitingPage.template: " + templateBytes + " bytes (expected: at most "
            + WaitingPageSpec.MAX_TEMPLATE_BYTES + " bytes of UTF-8)");
      }
    }
    FailoverSpec failover = coldStart.failover();
    if (failover != null) {
      if (!isBaseUrl(failover.url())) {
        problems.add("spec.coldStart.failover.url: " + failover.url() + " (expected: http://host[:port] without path)");
      }
      Integer after = failover.afterSeconds();
      if (after != null && (after < 1 || after >= timeout)) {
        problems.add("spec.coldStart.failover.afterSeconds: " + after
            + " (expected: >= 1, below coldStart.timeoutSeconds " + timeout + ")");
      }
      if (after == null && !failover.onQueueFull()) {
        problems.add("spec.coldStart.failover: neither afterSeconds nor onQueueFull (expected: at least one)");
      }
    }
  }

  /** The schema's pattern, and what an interceptor will parse: a host, a port in range, nothing after. */
  private static boolean isBaseUrl(String url) {
    if (url == null || url.length() > FailoverSpec.MAX_URL_LENGTH || !url.matches(FailoverSpec.URL_PATTERN)) {
      return false;
    }
    try {
      URI uri = new URI(url);
      return uri.getHost() != null && uri.getPort() <= 65535 && uri.getPort() != 0;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
