package io.wakegate.benchmarks.load;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wakegate.benchmarks.support.Args;
import io.wakegate.benchmarks.support.Output;
import io.wakegate.benchmarks.support.FastBackend;
import io.wakegate.benchmarks.support.KeepAliveClient;
import io.wakegate.benchmarks.support.Percentiles;
import io.wakegate.benchmarks.support.Quiet;
import io.wakegate.benchmarks.support.Servers;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.demand.report.DemandReporter;
import io.wakegate.interceptor.demand.report.DemandReporterSettings;
import io.wakegate.proto.externalscaler.ExternalScalerGrpc;
import io.wakegate.proto.externalscaler.IsActiveResponse;
import io.wakegate.proto.externalscaler.ScaledObjectRef;
import io.wakegate.scaler.ScalerServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Activation latency: the time from a request arriving at a cold route to {@code true} on an open
 * {@code StreamIsActive} stream, through a real {@link InterceptorServer}, its
 * {@link DemandReporter} and a {@link ScalerServer}, all on loopback in this process (one clock).
 *
 * <p>Each activation uses its own cold route (a static backend on a closed port, so the request is
 * held), with its own {@code StreamIsActive} stream opened beforehand and showing {@code false}; the
 * clock starts just before the request's bytes are written on an already open connection and stops
 * when the stream's observer receives {@code true}. Using a fresh route each time avoids waiting for
 * the window to empty between activations. The reporter's interval is 250 ms (the default), so an
 * activation that arrived by the periodic tick instead of the immediate push would show as ~100+ ms.
 *
 * <p>Then a warm check: {@code --warm} sequential keep-alive requests on a warm route (one in flight
 * at a time, so every request takes the route from 0 to 1) and the number of demand reports the
 * reporter sent meanwhile.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.wakegate.benchmarks.load.ActivationLatency
 * [--routes 600] [--warmup 100] [--warm 20000] [--out FILE]}; prints percentiles and writes
 * {@code key<TAB>value} lines to FILE.
 */
public final class ActivationLatency {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int routes = args.integer("--routes", 600);
        int warmup = args.integer("--warmup", 100);
        int warm = args.integer("--warm", 20000);
        Quiet.logs();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // closed again at once: nothing listens there
        }
        List<AutoCloseable> closeables = new ArrayList<>();
        try (FastBackend backend = FastBackend.start(0, 1)) {
            ScalerServer scaler = ScalerServer.builder().bindAddress(InetAddress.getLoopbackAddress())
                    .kedaPort(0).demandPort(0).adminPort(-1).build().start();
            closeables.add(scaler);
            StringBuilder yaml = new StringBuilder("limits: {maxPendingRequestsTotal: 20000}\nroutes:\n");
            yaml.append(Servers.route("warm/w", "/warm/", backend.url(), "{path: /health, interval: 2s}"));
            for (int i = 0; i < routes; i++) {
                yaml.append(Servers.route("cold/r" + i, "/r" + i + "/", "http://127.0.0.1:" + closedPort,
                        "{interval: 60s, timeout: 1s}"));
            }
            InterceptorServer interceptor = Servers.interceptor(yaml.toString());
            closeables.add(0, interceptor);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            DemandReporter reporter = new DemandReporter(interceptor.demand(),
                    DemandReporterSettings.of("127.0.0.1:" + scaler.demandPort()), registry);
            closeables.add(0, reporter);
            reporter.start();
            await(() -> reporter.connectedScalers() == 1, "reporter connected");
            await(() -> scaler.aggregator().stats("cold/r" + (routes - 1), Duration.ofSeconds(60)).known(),
                    "scaler knows every route");

            ManagedChannel keda = Grpc.newChannelBuilderForAddress("127.0.0.1", scaler.kedaPort(),
                    InsecureChannelCredentials.create()).build();
            closeables.add(0, keda::shutdownNow);
            ExternalScalerGrpc.ExternalScalerStub stub = ExternalScalerGrpc.newStub(keda);
            AtomicLong[] activeAt = new AtomicLong[routes];
            CountDownLatch[] activated = new CountDownLatch[routes];
            CountDownLatch opened = new CountDownLatch(routes);
            for (int i = 0; i < routes; i++) {
                int r = i;
                activeAt[r] = new AtomicLong();
                activated[r] = new CountDownLatch(1);
                stub.streamIsActive(ScaledObjectRef.newBuilder().setNamespace("cold").setName("r" + r)
                        .putScalerMetadata("route", "cold/r" + r).build(), new StreamObserver<>() {
                            @Override
                            public void onNext(IsActiveResponse v) {
                                if (v.getResult()) {
                                    activeAt[r].set(System.nanoTime());
                                    activated[r].countDown();
                                } else {
                                    opened.countDown();
                                }
                            }

                            @Override
                            public void onError(Throwable t) {
                                // the channel is shut down at the end
                            }

                            @Override
                            public void onCompleted() {
                            }
                        });
            }
            if (!opened.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not every StreamIsActive stream sent its initial false");
            }

            long[] samples = new long[routes];
            int n = 0;
            List<KeepAliveClient> held = new ArrayList<>();
            for (int i = 0; i < routes; i++) {
                KeepAliveClient c = new KeepAliveClient("127.0.0.1", interceptor.proxyAddress().getPort());
                held.add(c);
                byte[] request = KeepAliveClient.get("/r" + i + "/v1/completions", "127.0.0.1");
                long t0 = System.nanoTime();
                c.send(request);
                if (!activated[i].await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no activation for cold/r" + i);
                }
                if (i >= warmup) {
                    samples[n++] = activeAt[i].get() - t0;
                }
                Thread.sleep(5);
            }
            for (KeepAliveClient c : held) {
                c.close();
            }
            Percentiles p = new Percentiles(samples, n);

            // warm check: reports sent while one client sends sequential requests on a warm route
            KeepAliveClient client = new KeepAliveClient("127.0.0.1", interceptor.proxyAddress().getPort());
            byte[] get = KeepAliveClient.get("/warm/x", "127.0.0.1");
            Servers.awaitOk(interceptor.proxyAddress().getPort(), "/warm/x", Duration.ofSeconds(10));
            for (int i = 0; i < 2000; i++) {
                client.exchange(get);
            }
            double before = registry.get("wakegate.interceptor.demand.reports").counter().count();
            double activationsBefore = registry.get("wakegate.interceptor.demand.activations").counter().count();
            long w0 = System.nanoTime();
            for (int i = 0; i < warm; i++) {
                client.exchange(get);
            }
            double seconds = (System.nanoTime() - w0) / 1e9;
            double reports = registry.get("wakegate.interceptor.demand.reports").counter().count() - before;
            double activations = registry.get("wakegate.interceptor.demand.activations").counter().count()
                    - activationsBefore;
            client.close();

            String[][] out = {
                {"activations", Integer.toString(n)},
                {"activation_p50_ms", ms(p.at(50))},
                {"activation_p90_ms", ms(p.at(90))},
                {"activation_p99_ms", ms(p.at(99))},
                {"activation_max_ms", ms(p.max())},
                {"scaler_push_p_max_ms", String.format(Locale.ROOT, "%.3f", scaler.metrics().pushLatencyMaxMillis())},
                {"warm_requests", Integer.toString(warm)},
                {"warm_seconds", String.format(Locale.ROOT, "%.2f", seconds)},
                {"warm_reports_sent", String.format(Locale.ROOT, "%.0f", reports)},
                {"warm_immediate_activations", String.format(Locale.ROOT, "%.0f", activations)},
            };
            StringBuilder text = new StringBuilder();
            for (String[] r : out) {
                text.append(r[0]).append('\t').append(r[1]).append('\n');
            }
            Output.emit(text.toString(), args.string("--out", null));
        } finally {
            for (AutoCloseable c : closeables) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("close: " + e);
                }
            }
        }
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    private ActivationLatency() {
    }

}
