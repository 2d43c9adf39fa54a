package io.wakegate.controller.reconcile;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.wakegate.kubetest.KubeApi;
import java.time.Duration;
import java.util.Locale;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the reconciler tests on the real API server: the CRDs installed once, a fresh
 * {@link KubeCluster} (its own namespaces) per test, its controller closed after it.
 */
abstract class ClusterTest {

  final KubernetesClient admin = KubeApi.shared().admin();
  KubeCluster cluster;

  @BeforeAll
  static void crds() {
    KubeCluster.installAllCrds();
  }

  @BeforeEach
  void newCluster() {
    String name = getClass().getSimpleName().toLowerCase(Locale.ROOT).replace("test", "");
    cluster = new KubeCluster(name.length() > 12 ? name.substring(0, 12) : name);
  }

  @AfterEach
  void closeCluster() {
    cluster.close();
  }

  static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50));
  }
}
