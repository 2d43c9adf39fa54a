package io.wakegate.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.wakegate.controller.admin.AdminServer;
import io.wakegate.controller.admin.ControllerMetrics;
import io.wakegate.controller.desired.Names;
import io.wakegate.controller.desired.Settings;
import io.wakegate.controller.kube.Leadership;
import io.wakegate.controller.reconcile.Controller;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wakegate-controller}: reconciles ModelHosts into ScaledObjects, VirtualServices and the route table. */
@Command(name = "wakegate-controller", mixinStandardHelpOptions = true,
    description = "Turns ModelHost resources into a KEDA ScaledObject, an Istio VirtualService and the route table.")
public final class ControllerMain implements java.util.concurrent.Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(ControllerMain.class);

  @Option(names = "--namespace", split = ",", paramLabel = "NS",
      description = "Namespace to watch for ModelHosts (repeatable or comma-separated); default: all namespaces.")
  List<String> namespaces = new ArrayList<>();

  @Option(names = "--wakegate-namespace", defaultValue = "${env:POD_NAMESPACE:-wakegate}",
      description = "Wakegate's namespace: route-table ConfigMap, Lease, interceptor and scaler Services (default: $POD_NAMESPACE or wakegate).")
  String wakegateNamespace;

  @Option(names = "--scaler-address", paramLabel = "HOST:PORT",
      description = "The scaler's KEDA gRPC address written into every trigger (default: wakegate-scaler.<wakegate-namespace>:9090).")
  String scalerAddress;

  @Option(names = "--scaler-authentication", paramLabel = "[KIND/]NAME",
      description = "KEDA TriggerAuthentication (NAME, in each ModelHost's namespace) or "
          + "ClusterTriggerAuthentication/NAME every trigger refers to, for TLS to the scaler (default: none).")
  String scalerAuthentication;

  @Option(names = "--interceptor-service", defaultValue = "wakegate-interceptor",
      description = "The interceptors' Service, VirtualService destination (default: ${DEFAULT-VALUE}).")
  String interceptorService;

  @Option(names = "--interceptor-port", defaultValue = "8080",
      description = "The interceptors' Service HTTP port (default: ${DEFAULT-VALUE}).")
  int interceptorPort;

  @Option(names = "--cluster-domain", defaultValue = "cluster.local",
      description = "DNS domain of the cluster (default: ${DEFAULT-VALUE}).")
  String clusterDomain;

  @Option(names = "--leader-election", defaultValue = "true", negatable = true, fallbackValue = "true",
      description = "Campaign for a Lease and reconcile only while leader (default: ${DEFAULT-VALUE}).")
  boolean leaderElection;

  @Option(names = "--lease-name", defaultValue = Names.LEASE,
      description = "Name of the leader-election Lease in the Wakegate namespace (default: ${DEFAULT-VALUE}).")
  String leaseName;

  @Option(names = "--resync", defaultValue = "5m", converter = DurationConverter.class,
      description = "Full reconcile pass at least this often (default: ${DEFAULT-VALUE}).")
  Duration resync;

  @Option(names = "--max-backoff", defaultValue = "5m", converter = DurationConverter.class,
      description = "Longest wait before retrying a failed pass (default: ${DEFAULT-VALUE}).")
  Duration maxBackoff;

  @Option(names = "--log-level", defaultValue = "${env:WAKEGATE_LOG_LEVEL:-info}", paramLabel = "LEVEL",
      description = "error, warn, info or debug (default: $WAKEGATE_LOG_LEVEL or ${DEFAULT-VALUE}); "
          + "info logs one line per change, debug every pass.")
  String logLevel;

  @Option(names = "--admin-port", defaultValue = "9093",
      description = "HTTP port of /healthz, /readyz and /metrics; -1 disables it (default: ${DEFAULT-VALUE}).")
  int adminPort;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ControllerMain()).execute(args));
  }

  /** The desired-state settings the flags describe. */
  Settings settings() {
    String scaler = scalerAddress != null ? scalerAddress : "wakegate-scaler." + wakegateNamespace + ":9090";
    return new Settings(wakegateNamespace, scaler, interceptorService, interceptorPort, clusterDomain,
        scalerAuthentication == null || scalerAuthentication.isEmpty() ? null
            : Settings.AuthenticationRef.parse(scalerAuthentication));
  }

  @Override
  public Integer call() throws Exception {
    if (!LogLevel.set(logLevel)) {
      System.err.println("wakegate-controller: --log-level: " + logLevel + " (expected: error, warn, info or debug)");
      return 2;
    }
    Settings settings;
    try {
      settings = settings();
    } catch (IllegalArgumentException e) {
      System.err.println("wakegate-controller: --scaler-authentication: " + e.getMessage());
      return 2;
    }
    Controller.Timing timing = new Controller.Timing(Controller.Timing.DEFAULT.coalesce(), resync,
        Controller.Timing.DEFAULT.backoffBase(), maxBackoff, Controller.Timing.DEFAULT.syncTimeout());
    KubernetesClient client = new KubernetesClientBuilder().build();
    ControllerMetrics metrics = new ControllerMetrics();
    Controller controller = new Controller(client, namespaces, settings, timing, Clock.systemUTC(), metrics);
    metrics.modelHosts(controller::modelHosts);
    // Ready once the informer caches synced (the leader, or the only replica without leader
    // election). A follower is ready too: readiness must not depend on being leader, or only the
    // leader would ever be Ready (rollouts would stall, and the metrics Service would drop the
    // followers). A follower has no caches: it starts them when it wins the Lease, and between
    // winning and synced it reports not ready.
    AdminServer admin = adminPort < 0 ? null : AdminServer.onPort(adminPort, metrics::scrape,
        () -> controller.synced() || (leaderElection && !metrics.leader())).start();
    // SIGTERM and SIGINT stop the controller in order (below) and exit 0; a JVM shutdown hook
    // would end with 143 and race the client's own shutdown.
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), signal -> stop.countDown());
    Signal.handle(new Signal("INT"), signal -> stop.countDown());
    AtomicBoolean shuttingDown = new AtomicBoolean();
    AtomicReference<Leadership> leadership = new AtomicReference<>();
    log.info("watching {}; wakegate namespace {}; scaler {}; interceptor {}:{}",
        namespaces.isEmpty() ? "all namespaces" : namespaces, wakegateNamespace, settings.scalerAddress(),
        settings.interceptorHost(), interceptorPort);
    if (admin != null) {
      log.info("admin port {}: /healthz, /readyz, /metrics", admin.port());
    }
    if (!leaderElection) {
      metrics.leader(true);
      startOrExit(controller);
    } else {
      String identity = identity();
      // Fabric8 calls onStart on the elector's thread, inside its lock, before it starts renewing:
      // syncing the caches there (up to the sync timeout) would let the Lease expire while this
      // replica believes it leads. Start the controller on its own thread instead.
      Executor starter = Executors.newSingleThreadExecutor(r -> new Thread(r, "wakegate-start"));
      leadership.set(new Leadership(client, wakegateNamespace, leaseName, identity,
          () -> {
            metrics.leader(true);
            log.info("{} leads {}/{}: reconciling", identity, wakegateNamespace, leaseName);
            starter.execute(() -> startOrExit(controller));
          },
          () -> {
            metrics.leader(false);
            if (shuttingDown.get()) {
              log.info("{} released {}/{}", identity, wakegateNamespace, leaseName);
              return;
            }
            log.warn("{} lost leadership of {}/{}; exiting", identity, wakegateNamespace, leaseName);
            System.exit(1);
          },
          Executors.newSingleThreadExecutor(r -> new Thread(r, "wakegate-leader"))));
      leadership.get().start();
    }
    stop.await();
    shuttingDown.set(true);
    log.info("stopping");
    controller.close();
    // Release the Lease before the client goes, so a follower takes over at its next retry
    // (seconds) instead of waiting for the Lease to expire.
    Leadership elected = leadership.get();
    if (elected != null) {
      elected.stop();
    }
    client.close();
    if (admin != null) {
      admin.close();
    }
    log.info("stopped");
    return 0;
  }

  private static void startOrExit(Controller controller) {
    try {
      controller.start();
    } catch (TimeoutException | InterruptedException e) {
      log.error("informer caches did not sync; exiting", e);
      System.exit(1);
    }
  }

  private static String identity() {
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isEmpty()) {
      return pod;
    }
    try {
      return InetAddress.getLocalHost().getHostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    } catch (UnknownHostException e) {
      return "wakegate-controller-" + UUID.randomUUID();
    }
  }

  /** Parses {@code 30s}, {@code 5m}, {@code 1h}, {@code 500ms} or ISO-8601 ({@code PT5M}). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim();
      if (v.startsWith("P") || v.startsWith("p")) {
        return Duration.parse(v);
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new CommandLine.TypeConversionException(
            "duration: " + value + " (expected: like 30s, 5m, 1h, 500ms)");
      };
    }
  }
}
