package io.wakegate.interceptor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The YAML file as written: the same shape and keys as the public records, but every field
 * nullable (absent) so defaults can be told apart from explicit values such as port 0.
 * {@link ConfigValidator} turns it into a {@link WakegateConfig}.
 *
 * <p>Plain classes with fields rather than records on purpose: Jackson binds records
 * through their constructor, buffering unknown fields until the end of the object, which
 * loses their path. Integers are {@code Long} so that out-of-range values reach the
 * validator; durations and sizes are parsed by {@link YamlBinding}'s deserializers.
 */
final class RawConfig {
    public Server server;
    public Limits limits;
    public Forwarding forwarding;
    public Shutdown shutdown;
    public List<Route> routes;
    public Scaler scaler;
    public Kubernetes kubernetes;

    static final class Scaler {
        public String address;
        public Duration reportInterval;
        public ScalerTls tls;
    }

    static final class ScalerTls {
        public String trustCertificates;
        public String clientCertificate;
        public String clientKey;
    }

    static final class Server {
        public String bindAddress;
        public Long port;
        public String adminBindAddress;
        public Long adminPort;
        public String adminTokenFile;
        public String transport;
        public Long ioThreads;
    }

    static final class Limits {
        public ByteSize maxInitialLineLength;
        public ByteSize maxHeaderSize;
        public ByteSize maxRequestBodySize;
        public Duration requestHeaderTimeout;
        public Duration idleTimeout;
        public Long maxPendingRequestsTotal;
        public ByteSize modelReadAhead;
        public ByteSize readAheadBudget;
    }

    static final class Forwarding {
        public Duration connectTimeout;
        public Duration responseHeaderTimeout;
        public Duration backendIdleTimeout;
        public Long maxIdleConnectionsPerEndpoint;
        public Duration streamIdleTimeout;
        public List<String> upgrades;
    }

    static final class Shutdown {
        public Duration readinessDelay;
        public Duration drainTimeout;
    }

    static final class Route {
        public String name;
        public Match match;
        public Backend backend;
        public Hold hold;
        public Long maxConcurrencyPerEndpoint;
        public Duration responseHeaderTimeout;
    }

    static final class Match {
        public List<String> hosts;
        public List<String> pathPrefixes;
        public List<HeaderMatch> headers;
        public List<String> models;
    }

    static final class HeaderMatch {
        public String name;
        public String value;
    }

    /** One field per backend kind, named by its YAML key, in the order of {@link BackendConfig#KINDS}. */
    static final class Backend {
        @JsonProperty("static")
        public StaticBackend staticBackend;
        @JsonProperty("process")
        public ProcessBackend processBackend;
        @JsonProperty("kubernetes")
        public KubernetesBackend kubernetesBackend;
    }

    static final class KubernetesBackend {
        public String namespace;
        public String service;
        public Long port;
        public String portName;
        public String readinessPath;
        public Duration probeInterval;
        public String forwardTo;
    }

    static final class Kubernetes {
        public RouteTable routeTable;
    }

    static final class RouteTable {
        public String namespace;
        public String configMap;
        public String key;
    }

    static final class ProcessBackend {
        public List<String> command;
        public Map<String, String> env;
        public String workingDirectory;
        public String host;
        public Long port;
        public HealthCheck readiness;
        public Duration startTimeout;
        public Duration idleTimeout;
        public Duration stopGracePeriod;
        public Long maxRestarts;
        public String group;
        public String logFile;
    }

    static final class StaticBackend {
        public List<String> urls;
        public HealthCheck healthCheck;
    }

    static final class HealthCheck {
        public String path;
        public Duration interval;
        public Duration timeout;
    }

    static final class Hold {
        public Duration coldStartTimeout;
        public Long maxPendingRequests;
        public StreamKeepAlive streamKeepAlive;
        public WaitingPage waitingPage;
        public Failover failover;
    }

    static final class StreamKeepAlive {
        public Duration after;
        public Duration interval;
    }

    static final class WaitingPage {
        public Duration after;
        public Duration refresh;
        /** A file, relative to the configuration file's directory. */
        public String template;
    }

    static final class Failover {
        public String url;
        public Duration after;
        public Boolean onQueueFull;
        public Map<String, String> headers;
    }

    /** A size in bytes, written with the {@link Sizes} syntax. */
    record ByteSize(long bytes) {
    }
}
