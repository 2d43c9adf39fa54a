package io.wakegate.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wakegate.controller.kube.Leadership;
import io.wakegate.kubetest.KubeApi;
import io.wakegate.kubetest.ReferenceCrds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code wakegate-controller} as a process, as it runs in a pod: a JVM of its own started with the
 * test classpath and a kubeconfig for the real API server, stopped with SIGTERM.
 */
class ControllerProcessTest {

  private final KubernetesClient admin = KubeApi.shared().admin();
  private final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void crds() {
    GeneratedCrd.install(KubeApi.shared().admin());
    ReferenceCrds.SCALED_OBJECT.install(KubeApi.shared().admin());
    ReferenceCrds.VIRTUAL_SERVICE.install(KubeApi.shared().admin());
  }

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
  }

  private Process controller(Path log, String identity, String... flags) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // The controller's own logging configuration, not the tests' logback-test.xml.
        "-Dlogback.configurationFile=" + Path.of("target/classes/logback.xml").toAbsolutePath(),
        "-cp", System.getProperty("java.class.path"), ControllerMain.class.getName()));
    command.addAll(List.of(flags));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KUBECONFIG", KubeApi.shared().kubeConfigFile().toString());
    builder.environment().put("POD_NAME", identity);
    builder.environment().remove("WAKEGATE_LOG_LEVEL");
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void onSigtermTheLeaderReleasesItsLeaseAndAFollowerTakesOverBeforeItWouldHaveExpired() throws Exception {
    String models = KubeApi.shared().newNamespace("proc");
    String wakegate = KubeApi.shared().newNamespace("proc-wakegate");
    Path log = Files.createTempFile("controller", ".log");
    Process leader = controller(log, "leader-a", "--namespace", models, "--wakegate-namespace", wakegate,
        "--admin-port", "-1");
    await().atMost(Duration.ofSeconds(60)).until(() -> holder(wakegate) != null);
    assertThat(holder(wakegate).getSpec().getHolderIdentity()).isEqualTo("leader-a");
    await().atMost(Duration.ofSeconds(30)).until(() -> read(log).contains("leads " + wakegate));
    // Reconciled once: the (empty) route table is written.
    await().atMost(Duration.ofSeconds(60)).until(() -> admin.configMaps().inNamespace(wakegate)
        .withName("wakegate-routes").get() != null);

    // A follower campaigning with the controller's own timing (15 s lease, 2 s retry).
    AtomicReference<Instant> tookOver = new AtomicReference<>();
    CountDownLatch leading = new CountDownLatch(1);
    ExecutorService elector = Executors.newSingleThreadExecutor();
    try (KubernetesClient followerClient = KubeApi.shared().newAdminClient()) {
      Leadership follower = new Leadership(followerClient, wakegate, "wakegate-controller", "follower-b",
          () -> {
            tookOver.set(Instant.now());
            leading.countDown();
          }, () -> { }, elector);
      follower.start();
      // Idle: nothing changes, so the leader logs nothing more, and never at DEBUG.
      Thread.sleep(3_000);
      String idle = read(log);
      Thread.sleep(3_000);
      assertThat(read(log)).as("log lines while idle").isEqualTo(idle);
      assertThat(idle).doesNotContain(" DEBUG ").contains(" INFO ");

      Instant lastRenew = holder(wakegate).getSpec().getRenewTime().toInstant();
      leader.destroy(); // SIGTERM
      assertThat(leader.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(leader.exitValue()).as("exit code on SIGTERM").isZero();
      assertThat(leading.await(30, TimeUnit.SECONDS)).as("the follower took over").isTrue();
      assertThat(tookOver.get()).as("taken over before the released Lease would have expired")
          .isBefore(lastRenew.plus(Leadership.LEASE_DURATION));
      assertThat(holder(wakegate).getSpec().getHolderIdentity()).isEqualTo("follower-b");
      assertThat(read(log)).contains("released " + wakegate + "/wakegate-controller");
      follower.stop();
    } finally {
      elector.shutdownNow();
    }
  }

  @Test
  void anUnknownLogLevelIsOneLineAndExitCode2() throws Exception {
    Path log = Files.createTempFile("controller", ".log");
    Process process = controller(log, "x", "--log-level", "loud", "--leader-election=false", "--admin-port", "-1");
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(read(log).strip()).isEqualTo(
        "wakegate-controller: --log-level: loud (expected: error, warn, info or debug)");
  }

  private Lease holder(String namespace) {
    return admin.leases().inNamespace(namespace).withName("wakegate-controller").get();
  }

}
