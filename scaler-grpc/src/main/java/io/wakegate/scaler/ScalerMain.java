package io.wakegate.scaler;

import io.wakegate.scaler.aggregate.DemandAggregator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar wakegate-scaler.jar [flags]}: runs a {@link ScalerServer} until stopped. */
@Command(name = "wakegate-scaler", mixinStandardHelpOptions = true,
        description = "KEDA external scaler fed by Wakegate interceptors' demand streams.")
public final class ScalerMain implements Callable<Integer> {

    @Option(names = "--port", description = "gRPC port for KEDA (default: ${DEFAULT-VALUE})")
    int kedaPort = ScalerServer.Builder.DEFAULT_KEDA_PORT;

    @Option(names = "--demand-port",
            description = "gRPC port for interceptors' demand streams; equal to --port serves "
                    + "both on one port (default: ${DEFAULT-VALUE})")
    int demandPort = ScalerServer.Builder.DEFAULT_DEMAND_PORT;

    @Option(names = "--admin-port",
            description = "HTTP port for /metrics, /healthz, /readyz; -1 disables (default: ${DEFAULT-VALUE})")
    int adminPort = ScalerServer.Builder.DEFAULT_ADMIN_PORT;

    @Option(names = "--expiry-intervals",
            description = "missed reporting intervals after which a silent interceptor expires "
                    + "(default: ${DEFAULT-VALUE})")
    int expiryIntervals = DemandAggregator.Settings.DEFAULT_EXPIRY_INTERVALS;

    @Option(names = "--max-window", converter = DurationConverter.class,
            description = "longest averaging window a trigger may ask for, e.g. 10m (default: 10m)")
    Duration maxWindow = DemandAggregator.Settings.DEFAULT_MAX_WINDOW;

    @Option(names = "--sweep-interval", converter = DurationConverter.class,
            description = "how often expiry and deactivation are checked (default: 500ms)")
    Duration sweepInterval = ScalerServer.Builder.DEFAULT_SWEEP_INTERVAL;

    @Option(names = "--shutdown-grace", converter = DurationConverter.class,
            description = "time calls get to end on shutdown (default: 5s)")
    Duration shutdownGrace = ScalerServer.Builder.DEFAULT_SHUTDOWN_GRACE;

    @Option(names = "--tls-cert", description = "server certificate chain (PEM); enables TLS")
    Path tlsCert;

    @Option(names = "--tls-key", description = "server private key (PEM, PKCS#8)")
    Path tlsKey;

    @Option(names = "--tls-client-ca",
            description = "CA bundle (PEM) for client certificates; enables mutual TLS")
    Path tlsClientCa;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ScalerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ScalerTls tls = null;
        if (tlsCert != null || tlsKey != null) {
            if (tlsCert == null || tlsKey == null) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--tls-cert and --tls-key go together");
            }
            tls = new ScalerTls(tlsCert, tlsKey, tlsClientCa);
        } else if (tlsClientCa != null) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--tls-client-ca needs --tls-cert and --tls-key");
        }
        ScalerServer server = ScalerServer.builder()
                .kedaPort(kedaPort)
                .demandPort(demandPort)
                .adminPort(adminPort)
                .tls(tls)
                .aggregation(new DemandAggregator.Settings(expiryIntervals, maxWindow))
                .sweepInterval(sweepInterval)
                .shutdownGrace(shutdownGrace)
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "wakegate-scaler-shutdown"));
        server.awaitTermination();
        return 0;
    }

    /** Go-style durations: 500ms, 30s, 10m, 1h, 1m30s. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = io.wakegate.scaler.keda.TriggerMetadata.parseDurationOrNull(value);
            if (d == null) {
                throw new CommandLine.TypeConversionException(value
                        + " (expected: a duration such as 500ms, 30s, 10m)");
            }
            return d;
        }
    }
}
