package io.wakegate.interceptor.demand.report;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of a {@link DemandReporter}.
 *
 * @param target          where the scalers are: {@code dns:///scaler-headless:9091} (every
 *                        address behind the name, re-resolved periodically) or a
 *                        comma-separated {@code host:port} list; the port defaults to
 *                        {@value #DEFAULT_PORT}; IPv6 literals in brackets
 * @param interval        the reporting interval while any route has demand or changed;
 *                        also promised to the scaler for expiry (default 250 ms)
 * @param initialBackoff  first reconnect delay after a stream fails (default 100 ms)
 * @param maxBackoff      cap of the exponential reconnect delay (default 5 s); each delay
 *                        is jittered to between half and all of its value
 * @param resolveInterval how often the target's names are resolved again (default 10 s)
 * @param interceptorId   this process's identity, stable for its life and unique among
 *                        interceptors (default: host name + random suffix)
 * @param tls             TLS towards the scalers, or null for plaintext
 */
public record DemandReporterSettings(String target, Duration interval, Duration initialBackoff,
                                     Duration maxBackoff, Duration resolveInterval,
                                     String interceptorId, Tls tls) {

    public static final int DEFAULT_PORT = 9091;
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(250);
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESOLVE_INTERVAL = Duration.ofSeconds(10);

    /**
     * TLS towards the scalers.
     *
     * @param trustCertificates CA certificates (PEM) to verify scalers with; null for the
     *                          JDK's default trust store
     * @param clientCertChain   client certificate chain (PEM) for mutual TLS, or null
     * @param clientKey         its private key (PEM, PKCS#8), or null
     */
    public record Tls(Path trustCertificates, Path clientCertChain, Path clientKey) {
        public Tls {
            if ((clientCertChain == null) != (clientKey == null)) {
                throw new IllegalArgumentException("tls.clientCertChain/clientKey: one is missing "
                        + "(expected: both or neither)");
            }
        }
    }

    /** One host to resolve and the port to use on each of its addresses. */
    record Endpoint(String host, int port) {
        String authority() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public DemandReporterSettings {
        Objects.requireNonNull(target, "target");
        positive("interval", interval);
        positive("initialBackoff", initialBackoff);
        positive("maxBackoff", maxBackoff);
        positive("resolveInterval", resolveInterval);
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff: " + maxBackoff
                    + " (expected: >= initialBackoff " + initialBackoff + ")");
        }
        if (interval.toMillis() < 1 || interval.toMillis() > 600_000) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: 1ms..10m)");
        }
        Objects.requireNonNull(interceptorId, "interceptorId");
        if (interceptorId.isBlank() || interceptorId.length() > 253) {
            throw new IllegalArgumentException("interceptorId: '" + interceptorId
                    + "' (expected: 1..253 characters)");
        }
        endpoints(target); // validates
    }

    /** Defaults for everything but the target. */
    public static DemandReporterSettings of(String target) {
        return new DemandReporterSettings(target, DEFAULT_INTERVAL, DEFAULT_INITIAL_BACKOFF,
                DEFAULT_MAX_BACKOFF, DEFAULT_RESOLVE_INTERVAL, defaultInterceptorId(), null);
    }

    public DemandReporterSettings withInterval(Duration value) {
        return new DemandReporterSettings(target, value, initialBackoff, maxBackoff,
                resolveInterval, interceptorId, tls);
    }

    public DemandReporterSettings withBackoff(Duration initial, Duration max) {
        return new DemandReporterSettings(target, interval, initial, max, resolveInterval,
                interceptorId, tls);
    }

    public DemandReporterSettings withResolveInterval(Duration value) {
        return new DemandReporterSettings(target, interval, initialBackoff, maxBackoff, value,
                interceptorId, tls);
    }

    public DemandReporterSettings withInterceptorId(String value) {
        return new DemandReporterSettings(target, interval, initialBackoff, maxBackoff,
                resolveInterval, value, tls);
    }

    public DemandReporterSettings withTls(Tls value) {
        return new DemandReporterSettings(target, interval, initialBackoff, maxBackoff,
                resolveInterval, interceptorId, value);
    }

    /** {@code <hostname>-<8 random hex digits>}. */
    public static String defaultInterceptorId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "interceptor";
            }
        }
        return host + "-" + String.format("%08x", ThreadLocalRandom.current().nextInt());
    }

    List<Endpoint> endpoints() {
        return endpoints(target);
    }

    private static List<Endpoint> endpoints(String target) {
        String t = target.trim();
        if (t.startsWith("dns:///")) {
            t = t.substring("dns:///".length());
        } else if (t.startsWith("dns:")) {
            throw new IllegalArgumentException("target: " + target
                    + " (expected: dns:///host:port; a DNS authority is not supported)");
        }
        List<Endpoint> out = new ArrayList<>();
        for (String part : t.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String host;
            int port = DEFAULT_PORT;
            String portText = null;
            if (p.startsWith("[")) {
                int close = p.indexOf(']');
                if (close < 0) {
                    throw bad(target);
                }
                host = p.substring(1, close);
                if (close + 1 < p.length()) {
                    if (p.charAt(close + 1) != ':') {
                        throw bad(target);
                    }
                    portText = p.substring(close + 2);
                }
            } else {
                int colon = p.lastIndexOf(':');
                if (colon >= 0 && p.indexOf(':') != colon) {
                    throw bad(target); // bare IPv6 literal: needs brackets
                }
                host = colon < 0 ? p : p.substring(0, colon);
                portText = colon < 0 ? null : p.substring(colon + 1);
            }
            if (portText != null) {
                try {
                    port = Integer.parseInt(portText);
                } catch (NumberFormatException e) {
                    throw bad(target);
                }
            }
            if (host.isEmpty() || port < 1 || port > 65535) {
                throw bad(target);
            }
            out.add(new Endpoint(host, port));
        }
        if (out.isEmpty()) {
            throw bad(target);
        }
        return List.copyOf(out);
    }

    private static IllegalArgumentException bad(String target) {
        return new IllegalArgumentException("target: " + target
                + " (expected: dns:///host:port or host:port[,host:port...])");
    }

    private static void positive(String field, Duration d) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + ": " + d + " (expected: > 0)");
        }
    }
}
