package io.wakegate.controller.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.wakegate.controller.reconcile.PassObserver.Result;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin server on loopback, port 0, called with a real HTTP client. */
class AdminServerTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicInteger modelHosts = new AtomicInteger();
  private ControllerMetrics metrics;
  private AdminServer server;

  @BeforeEach
  void start() throws Exception {
    metrics = new ControllerMetrics();
    metrics.modelHosts(modelHosts::get);
    server = AdminServer.onLoopback(0, metrics::scrape, ready::get).start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> call(String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthzAnswersWhileTheProcessRuns() throws Exception {
    assertThat(call("GET", "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void readyzFollowsTheReadinessCheck() throws Exception {
    HttpResponse<String> notReady = call("GET", "/readyz");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).contains("not synced");
    ready.set(true);
    assertThat(call("GET", "/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void metricsExposeReconcilesDurationLeaderAndModelHosts() throws Exception {
    metrics.passed(Result.SUCCESS, Duration.ofMillis(20));
    metrics.passed(Result.SUCCESS, Duration.ofMillis(40));
    metrics.passed(Result.FAILURE, Duration.ofMillis(5));
    metrics.leader(true);
    modelHosts.set(3);

    HttpResponse<String> response = call("GET", "/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(response.body())
        .contains("wakegate_controller_reconciles_total{result=\"success\"} 2.0")
        .contains("wakegate_controller_reconciles_total{result=\"failure\"} 1.0")
        .contains("wakegate_controller_reconciles_total{result=\"error\"} 0.0")
        .contains("wakegate_controller_reconcile_duration_seconds_count 3")
        .contains("wakegate_controller_leader 1.0")
        .contains("wakegate_controller_modelhosts 3.0");
    metrics.leader(false);
    assertThat(call("GET", "/metrics").body()).contains("wakegate_controller_leader 0.0");
  }

  @Test
  void headHasNoBodyAndOtherMethodsAreRefused() throws Exception {
    HttpResponse<String> head = call("HEAD", "/healthz");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    HttpResponse<String> post = call("POST", "/metrics");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void unknownPathIsNotFound() throws Exception {
    assertThat(call("GET", "/nope").statusCode()).isEqualTo(404);
  }
}
