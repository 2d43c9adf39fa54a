package io.wakegate.interceptor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the interceptor pushes its demand: the scaler's demand service (Kubernetes mode). Absent
 * in local mode, where nothing reports.
 *
 * @param address        {@code dns:///NAME:PORT} (every address behind a DNS name, e.g. a headless
 *                       Service, re-resolved as it changes) or {@code host:port[,host:port...]}
 * @param reportInterval how often a non-idle interceptor reports (activation is pushed at once)
 * @param tls            TLS to the scaler, or null for plaintext
 */
public record ScalerConfig(String address, Duration reportInterval, Tls tls) {

    public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofMillis(250);

    public ScalerConfig {
        Checks.require("address", address == null || address.isBlank()
                ? Checks.missing("dns:///NAME:PORT or host:port[,host:port...]") : null);
        Checks.require("reportInterval", Checks.positive(reportInterval));
    }

    /**
     * @param trustCertificates PEM CA certificates that sign the scaler's certificate
     * @param clientCertificate PEM certificate chain for mutual TLS, or null
     * @param clientKey         PKCS#8 PEM key of {@code clientCertificate}, or null
     */
    public record Tls(Path trustCertificates, Path clientCertificate, Path clientKey) {
        public Tls {
            Objects.requireNonNull(trustCertificates, "trustCertificates");
            Checks.require("clientKey", (clientCertificate == null) != (clientKey == null)
                    ? "clientCertificate and clientKey go together (expected: both or neither)" : null);
        }
    }
}
