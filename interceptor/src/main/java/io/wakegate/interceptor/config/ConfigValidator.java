package io.wakegate.interceptor.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the {@link RawConfig} read from a file into a {@link WakegateConfig}: fills in
 * defaults and checks every rule, recording each problem with its field path. It reports
 * all problems; only when there are none does it build the records (whose constructors
 * check the same {@link Checks} and therefore do not throw).
 */
final class ConfigValidator {

    /** An HTTP token (RFC 9110 §5.6.2), optionally with a version: what {@code Upgrade} lists. */
    private static final java.util.regex.Pattern UPGRADE_TOKEN =
            java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+(/[!#$%&'*+.^_`|~0-9A-Za-z-]+)?");

    private final Problems problems;
    private final Path baseDirectory;
    private final Map<String, String> environment;
    private String currentRoute = "route";

    /**
     * @param baseDirectory where relative paths start: the configuration file's directory
     * @param environment   what {@code ${NAME}} references expand to
     */
    ConfigValidator(Problems problems, Path baseDirectory, Map<String, String> environment) {
        this.problems = problems;
        this.baseDirectory = baseDirectory;
        this.environment = environment;
    }

    /** The config, or {@code null} if {@link #problems} holds anything afterwards. */
    WakegateConfig validate(RawConfig raw) {
        ServerConfig server = server(raw.server);
        LimitsConfig limits = limits(raw.limits);
        ForwardingConfig forwarding = forwarding(raw.forwarding);
        ShutdownConfig shutdown = shutdown(raw.shutdown);
        List<RouteConfig> routes = routes(raw.routes);
        checkProcessPorts(routes);
        ScalerConfig scaler = scaler(raw.scaler);
        KubernetesConfig kubernetes = kubernetes(raw.kubernetes);
        if (kubernetes != null && !routes.isEmpty()) {
            problems.add("routes", "routes are set in the file and kubernetes.routeTable names a ConfigMap"
                    + " (expected: one source of routes; leave routes out in Kubernetes mode)");
        }
        return problems.isEmpty()
                ? new WakegateConfig(server, limits, forwarding, shutdown, routes, scaler, kubernetes) : null;
    }

    private ServerConfig server(RawConfig.Server raw) {
        if (raw == null) {
            raw = new RawConfig.Server(); // the token may still come from the environment
        }
        String bindAddress = or(raw.bindAddress, ServerConfig.DEFAULT_BIND_ADDRESS);
        long port = or(raw.port, (long) ServerConfig.DEFAULT_PORT);
        String adminBindAddress = or(raw.adminBindAddress, ServerConfig.DEFAULT_ADMIN_BIND_ADDRESS);
        long adminPort = or(raw.adminPort, (long) ServerConfig.DEFAULT_ADMIN_PORT);
        problems.add("server.bindAddress", Checks.notBlank(bindAddress, "an address"));
        problems.add("server.port", Checks.port(port));
        problems.add("server.adminBindAddress", Checks.notBlank(adminBindAddress, "an address"));
        problems.add("server.adminPort", Checks.port(adminPort));
        problems.add("server.adminPort", Checks.distinctPorts(port, adminPort));
        String transport = or(raw.transport, ServerConfig.DEFAULT_TRANSPORT);
        problems.add("server.transport", Checks.oneOf(transport, ServerConfig.TRANSPORTS));
        long ioThreads = or(raw.ioThreads, 0L);
        problems.add("server.ioThreads", ioThreads > 1024 ? ioThreads + " (expected: 0 for one per core, or at most 1024)"
                : Checks.nonNegative(ioThreads));
        String adminToken = adminToken(raw.adminTokenFile);
        return problems.covers("server") ? null
                : new ServerConfig(bindAddress, (int) port, adminBindAddress, (int) adminPort, adminToken, transport,
                        (int) ioThreads);
    }

    /** The admin token from {@code server.adminTokenFile} or the environment; null when neither is set. */
    private String adminToken(String file) {
        String fromEnvironment = environment.get(ServerConfig.ADMIN_TOKEN_ENV);
        boolean inEnvironment = fromEnvironment != null && !fromEnvironment.isBlank();
        if (file == null) {
            return inEnvironment ? fromEnvironment.strip() : null;
        }
        if (inEnvironment) {
            problems.add("server.adminTokenFile", file + " and " + ServerConfig.ADMIN_TOKEN_ENV
                    + " are both set (expected: one source for the admin token)");
            return null;
        }
        Path path = baseDirectory.resolve(file);
        try {
            String token = Files.readString(path).strip();
            if (token.isEmpty()) {
                problems.add("server.adminTokenFile", path + " is empty (expected: a file holding the admin token)");
            }
            return token;
        } catch (java.io.IOException | RuntimeException e) {
            problems.add("server.adminTokenFile", path + " cannot be read: " + e.getMessage()
                    + " (expected: a readable file holding the admin token)");
            return null;
        }
    }

    private LimitsConfig limits(RawConfig.Limits raw) {
        if (raw == null) {
            return LimitsConfig.defaults();
        }
        long initialLine = intSize("limits.maxInitialLineLength", raw.maxInitialLineLength,
                LimitsConfig.DEFAULT_MAX_INITIAL_LINE_LENGTH);
        long headerSize = intSize("limits.maxHeaderSize", raw.maxHeaderSize, LimitsConfig.DEFAULT_MAX_HEADER_SIZE);
        long bodySize = size("limits.maxRequestBodySize", raw.maxRequestBodySize,
                LimitsConfig.DEFAULT_MAX_REQUEST_BODY_SIZE);
        Duration headerTimeout = duration("limits.requestHeaderTimeout", raw.requestHeaderTimeout,
                LimitsConfig.DEFAULT_REQUEST_HEADER_TIMEOUT);
        Duration idleTimeout = duration("limits.idleTimeout", raw.idleTimeout, LimitsConfig.DEFAULT_IDLE_TIMEOUT);
        int pendingTotal = count("limits.maxPendingRequestsTotal", raw.maxPendingRequestsTotal,
                LimitsConfig.DEFAULT_MAX_PENDING_REQUESTS_TOTAL);
        long readAhead = intSize("limits.modelReadAhead", raw.modelReadAhead, LimitsConfig.DEFAULT_MODEL_READ_AHEAD);
        long budget = size("limits.readAheadBudget", raw.readAheadBudget, LimitsConfig.DEFAULT_READ_AHEAD_BUDGET);
        if (budget > 0 && readAhead > 0 && budget < readAhead) {
            problems.add("limits.readAheadBudget", budget + " bytes is less than limits.modelReadAhead (" + readAhead
                    + " bytes) (expected: room for at least one request's read-ahead)");
        }
        return problems.covers("limits") ? null : new LimitsConfig((int) initialLine, (int) headerSize, bodySize,
                headerTimeout, idleTimeout, pendingTotal, (int) readAhead, budget);
    }

    private ForwardingConfig forwarding(RawConfig.Forwarding raw) {
        if (raw == null) {
            return ForwardingConfig.defaults();
        }
        Duration connect = duration("forwarding.connectTimeout", raw.connectTimeout,
                ForwardingConfig.DEFAULT_CONNECT_TIMEOUT);
        Duration responseHeader = duration("forwarding.responseHeaderTimeout", raw.responseHeaderTimeout,
                ForwardingConfig.DEFAULT_RESPONSE_HEADER_TIMEOUT);
        Duration idle = duration("forwarding.backendIdleTimeout", raw.backendIdleTimeout,
                ForwardingConfig.DEFAULT_BACKEND_IDLE_TIMEOUT);
        int maxIdle = count("forwarding.maxIdleConnectionsPerEndpoint", raw.maxIdleConnectionsPerEndpoint,
                ForwardingConfig.DEFAULT_MAX_IDLE_CONNECTIONS_PER_ENDPOINT);
        Duration streamIdle = duration("forwarding.streamIdleTimeout", raw.streamIdleTimeout,
                ForwardingConfig.DEFAULT_STREAM_IDLE_TIMEOUT);
        List<String> upgrades = raw.upgrades == null ? ForwardingConfig.DEFAULT_UPGRADES : raw.upgrades;
        for (int i = 0; i < upgrades.size(); i++) {
            String u = upgrades.get(i);
            problems.add("forwarding.upgrades[" + i + "]", u != null && UPGRADE_TOKEN.matcher(u.trim()).matches() ? null
                    : "'" + u + "' (expected: a protocol name such as websocket)");
        }
        return problems.covers("forwarding") ? null
                : new ForwardingConfig(connect, responseHeader, idle, maxIdle, streamIdle, upgrades);
    }

    private ScalerConfig scaler(RawConfig.Scaler raw) {
        if (raw == null) {
            return null;
        }
        problems.add("scaler.address", raw.address == null || raw.address.isBlank()
                ? Checks.missing("dns:///NAME:PORT or host:port[,host:port...]") : null);
        Duration interval = duration("scaler.reportInterval", raw.reportInterval, ScalerConfig.DEFAULT_REPORT_INTERVAL);
        ScalerConfig.Tls tls = null;
        if (raw.tls != null) {
            problems.add("scaler.tls.trustCertificates", raw.tls.trustCertificates == null
                    ? Checks.missing("a PEM file of CA certificates") : null);
            problems.add("scaler.tls.clientKey", (raw.tls.clientCertificate == null) != (raw.tls.clientKey == null)
                    ? "clientCertificate and clientKey go together (expected: both or neither)" : null);
            if (!problems.covers("scaler.tls")) {
                tls = new ScalerConfig.Tls(baseDirectory.resolve(raw.tls.trustCertificates),
                        raw.tls.clientCertificate == null ? null : baseDirectory.resolve(raw.tls.clientCertificate),
                        raw.tls.clientKey == null ? null : baseDirectory.resolve(raw.tls.clientKey));
            }
        }
        return problems.covers("scaler") ? null : new ScalerConfig(raw.address, interval, tls);
    }

    private ShutdownConfig shutdown(RawConfig.Shutdown raw) {
        if (raw == null) {
            return ShutdownConfig.defaults();
        }
        Duration readiness = raw.readinessDelay != null ? raw.readinessDelay : ShutdownConfig.DEFAULT_READINESS_DELAY;
        problems.add("shutdown.readinessDelay", Checks.nonNegative(readiness));
        Duration drain = duration("shutdown.drainTimeout", raw.drainTimeout, ShutdownConfig.DEFAULT_DRAIN_TIMEOUT);
        return problems.covers("shutdown") ? null : new ShutdownConfig(readiness, drain);
    }

    private List<RouteConfig> routes(List<RawConfig.Route> raw) {
        List<RouteConfig> routes = new ArrayList<>();
        if (raw == null) {
            return routes;
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < raw.size(); i++) {
            String path = "routes[" + i + "]";
            RawConfig.Route route = raw.get(i);
            if (route == null) {
                problems.add(path, Checks.missing("a route: a mapping with name and backend"));
                continue;
            }
            if (route.name != null) {
                Integer first = names.putIfAbsent(route.name, i);
                if (first != null) {
                    problems.addMessage(path + ".name", Checks.duplicateRouteName(path + ".name", route.name, first));
                }
            }
            RouteConfig config = route(path, route);
            if (config != null) {
                routes.add(config);
            }
        }
        return routes;
    }

    private RouteConfig route(String path, RawConfig.Route raw) {
        problems.add(path + ".name", Checks.routeName(raw.name));
        currentRoute = raw.name != null ? raw.name : path;
        MatchConfig match = match(path + ".match", raw.match);
        BackendConfig backend = backend(path + ".backend", raw.backend);
        HoldConfig hold = hold(path + ".hold", raw.hold);
        long maxConcurrency = or(raw.maxConcurrencyPerEndpoint, (long) RouteConfig.UNLIMITED_CONCURRENCY);
        problems.add(path + ".maxConcurrencyPerEndpoint", Checks.nonNegative(maxConcurrency));
        Duration responseHeaderTimeout = raw.responseHeaderTimeout;
        if (responseHeaderTimeout != null) {
            problems.add(path + ".responseHeaderTimeout", Checks.positive(responseHeaderTimeout));
        }
        return problems.covers(path) ? null
                : new RouteConfig(raw.name, match, backend, hold, (int) maxConcurrency, responseHeaderTimeout);
    }

    private MatchConfig match(String path, RawConfig.Match raw) {
        if (raw == null) {
            return MatchConfig.defaults();
        }
        List<String> hosts = list(raw.hosts);
        for (int i = 0; i < hosts.size(); i++) {
            problems.add(path + ".hosts[" + i + "]", Checks.notBlank(hosts.get(i), "a host pattern"));
        }
        List<String> prefixes = list(raw.pathPrefixes);
        for (int i = 0; i < prefixes.size(); i++) {
            problems.add(path + ".pathPrefixes[" + i + "]", Checks.pathPrefix(prefixes.get(i)));
        }
        List<HeaderMatchConfig> headers = new ArrayList<>();
        List<RawConfig.HeaderMatch> rawHeaders = list(raw.headers);
        for (int i = 0; i < rawHeaders.size(); i++) {
            RawConfig.HeaderMatch header = rawHeaders.get(i);
            String name = header == null ? null : header.name;
            String reason = Checks.headerName(name);
            problems.add(path + ".headers[" + i + "]" + (header == null ? "" : ".name"), reason);
            if (reason == null) {
                headers.add(new HeaderMatchConfig(name, header.value));
            }
        }
        List<String> models = list(raw.models);
        for (int i = 0; i < models.size(); i++) {
            problems.add(path + ".models[" + i + "]", Checks.modelName(models.get(i)));
        }
        return problems.covers(path) ? null : new MatchConfig(hosts, prefixes, headers, models);
    }

    private BackendConfig backend(String path, RawConfig.Backend raw) {
        if (raw == null) {
            problems.add(path, Checks.missing("a mapping with exactly one of " + String.join(", ", BackendConfig.KINDS)));
            return null;
        }
        String kinds = Checks.exactlyOneKind(raw.staticBackend, raw.processBackend, raw.kubernetesBackend);
        if (kinds != null) {
            problems.add(path, kinds);
            return null;
        }
        if (raw.processBackend != null) {
            ProcessBackendConfig process = processBackend(path + ".process", raw.processBackend);
            return process == null ? null : BackendConfig.ofProcess(process);
        }
        if (raw.kubernetesBackend != null) {
            KubernetesBackendConfig kubernetes = kubernetesBackend(path + ".kubernetes", raw.kubernetesBackend);
            return kubernetes == null ? null : BackendConfig.ofKubernetes(kubernetes);
        }
        StaticBackendConfig staticBackend = staticBackend(path + ".static", raw.staticBackend);
        return staticBackend == null ? null : BackendConfig.ofStatic(staticBackend);
    }

    private ProcessBackendConfig processBackend(String path, RawConfig.ProcessBackend raw) {
        List<String> command = new ArrayList<>();
        if (raw.command == null || raw.command.isEmpty() || raw.command.get(0) == null || raw.command.get(0).isBlank()) {
            problems.add(path + ".command", Checks.missing(Checks.COMMAND_EXPECTED));
        } else {
            for (int i = 0; i < raw.command.size(); i++) {
                String expanded = expand(path + ".command[" + i + "]", raw.command.get(i));
                command.add(expanded == null ? "" : expanded);
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (raw.env != null) {
            raw.env.forEach((name, value) -> {
                String expanded = expand(path + ".env." + name, value == null ? "" : value);
                env.put(name, expanded == null ? "" : expanded);
            });
        }
        long port = raw.port == null ? -1 : raw.port;
        problems.add(path + ".port", raw.port == null ? Checks.missing("the port the process listens on, 1..65535")
                : Checks.processPort(port));
        HealthCheckConfig readiness;
        if (raw.readiness == null) {
            readiness = new HealthCheckConfig(ProcessBackendConfig.DEFAULT_READINESS_PATH,
                    ProcessBackendConfig.DEFAULT_READINESS_INTERVAL, HealthCheckConfig.DEFAULT_TIMEOUT);
        } else {
            String probePath = raw.readiness.path != null ? raw.readiness.path : ProcessBackendConfig.DEFAULT_READINESS_PATH;
            problems.add(path + ".readiness.path", Checks.healthPath(probePath));
            Duration interval = duration(path + ".readiness.interval", raw.readiness.interval,
                    ProcessBackendConfig.DEFAULT_READINESS_INTERVAL);
            Duration timeout = duration(path + ".readiness.timeout", raw.readiness.timeout, HealthCheckConfig.DEFAULT_TIMEOUT);
            readiness = problems.covers(path + ".readiness") ? null : new HealthCheckConfig(probePath, interval, timeout);
        }
        Duration start = duration(path + ".startTimeout", raw.startTimeout, ProcessBackendConfig.DEFAULT_START_TIMEOUT);
        Duration idle = duration(path + ".idleTimeout", raw.idleTimeout, ProcessBackendConfig.DEFAULT_IDLE_TIMEOUT);
        Duration grace = duration(path + ".stopGracePeriod", raw.stopGracePeriod,
                ProcessBackendConfig.DEFAULT_STOP_GRACE_PERIOD);
        int maxRestarts = count(path + ".maxRestarts", raw.maxRestarts, ProcessBackendConfig.DEFAULT_MAX_RESTARTS);
        if (raw.group != null) {
            problems.add(path + ".group", Checks.groupName(raw.group));
        }
        Path workingDirectory = baseDirectory.resolve(raw.workingDirectory == null ? "." : raw.workingDirectory)
                .normalize();
        if (!Files.isDirectory(workingDirectory)) {
            problems.add(path + ".workingDirectory", Checks.quote(String.valueOf(raw.workingDirectory))
                    + " resolves to " + workingDirectory + ", which is not a directory (expected: an existing directory;"
                    + " relative paths start at the configuration file's directory)");
        }
        Path logFile = raw.logFile != null ? baseDirectory.resolve(raw.logFile).normalize()
                : Path.of(ProcessBackendConfig.DEFAULT_LOG_DIRECTORY, currentRoute.replace('/', '_') + ".log")
                        .toAbsolutePath().normalize();
        String host = raw.host != null ? raw.host : ProcessBackendConfig.DEFAULT_HOST;
        return problems.covers(path) ? null : new ProcessBackendConfig(command, env, workingDirectory, host,
                (int) port, readiness, start, idle, grace, maxRestarts, raw.group, logFile);
    }

    private KubernetesBackendConfig kubernetesBackend(String path, RawConfig.KubernetesBackend raw) {
        problems.add(path + ".namespace", Checks.dnsLabel(raw.namespace));
        problems.add(path + ".service", Checks.dnsLabel(raw.service));
        long port = raw.port == null ? 0 : raw.port;
        if (raw.port == null && (raw.portName == null || raw.portName.isEmpty())) {
            problems.add(path + ".port", Checks.missing("the Service port's number (port) or name (portName)"));
        } else if (raw.port != null) {
            problems.add(path + ".port", Checks.processPort(port));
        }
        if (raw.readinessPath != null) {
            problems.add(path + ".readinessPath", Checks.healthPath(raw.readinessPath));
        }
        Duration interval = duration(path + ".probeInterval", raw.probeInterval,
                KubernetesBackendConfig.DEFAULT_PROBE_INTERVAL);
        KubernetesBackendConfig.ForwardTo forwardTo = KubernetesBackendConfig.ForwardTo.PODS;
        if (raw.forwardTo != null) {
            switch (raw.forwardTo) {
                case "pods" -> forwardTo = KubernetesBackendConfig.ForwardTo.PODS;
                case "service" -> forwardTo = KubernetesBackendConfig.ForwardTo.SERVICE;
                default -> problems.add(path + ".forwardTo", Checks.quote(raw.forwardTo) + " (expected: pods or service)");
            }
        }
        return problems.covers(path) ? null : new KubernetesBackendConfig(raw.namespace, raw.service, (int) port,
                raw.portName, raw.readinessPath, interval, forwardTo);
    }

    private KubernetesConfig kubernetes(RawConfig.Kubernetes raw) {
        if (raw == null || raw.routeTable == null) {
            return null;
        }
        RawConfig.RouteTable t = raw.routeTable;
        problems.add("kubernetes.routeTable.namespace", Checks.dnsLabel(t.namespace));
        String configMap = t.configMap != null ? t.configMap : KubernetesConfig.RouteTableSource.DEFAULT_CONFIG_MAP;
        problems.add("kubernetes.routeTable.configMap", Checks.dnsSubdomain(configMap));
        String key = t.key != null ? t.key : KubernetesConfig.RouteTableSource.DEFAULT_KEY;
        return problems.covers("kubernetes") ? null
                : new KubernetesConfig(new KubernetesConfig.RouteTableSource(t.namespace, configMap, key));
    }

    /** Expands {@code ${NAME}} references from the environment; reports unset ones. */
    private String expand(String path, String value) {
        try {
            return Placeholders.expand(value, environment);
        } catch (IllegalArgumentException e) {
            problems.add(path, e.getMessage());
            return null;
        }
    }

    private StaticBackendConfig staticBackend(String path, RawConfig.StaticBackend raw) {
        List<String> rawUrls = list(raw.urls);
        List<URI> urls = new ArrayList<>();
        if (rawUrls.isEmpty()) {
            problems.add(path + ".urls", raw.urls == null ? Checks.missing("at least one " + Checks.URL_EXPECTED)
                    : Checks.NO_URLS);
        }
        for (int i = 0; i < rawUrls.size(); i++) {
            try {
                urls.add(Checks.parseUrl(rawUrls.get(i)));
                problems.add(path + ".urls[" + i + "]", Checks.duplicateUrl(urls, urls.size() - 1));
            } catch (IllegalArgumentException e) {
                problems.add(path + ".urls[" + i + "]", e.getMessage());
            }
        }
        HealthCheckConfig healthCheck = healthCheck(path + ".healthCheck", raw.healthCheck);
        return problems.covers(path) ? null : new StaticBackendConfig(urls, healthCheck);
    }

    private HealthCheckConfig healthCheck(String path, RawConfig.HealthCheck raw) {
        if (raw == null) {
            return HealthCheckConfig.defaults();
        }
        if (raw.path != null) {
            problems.add(path + ".path", Checks.healthPath(raw.path));
        }
        Duration interval = duration(path + ".interval", raw.interval, HealthCheckConfig.DEFAULT_INTERVAL);
        Duration timeout = duration(path + ".timeout", raw.timeout, HealthCheckConfig.DEFAULT_TIMEOUT);
        return problems.covers(path) ? null : new HealthCheckConfig(raw.path, interval, timeout);
    }

    private HoldConfig hold(String path, RawConfig.Hold raw) {
        if (raw == null) {
            return HoldConfig.defaults();
        }
        Duration coldStart = duration(path + ".coldStartTimeout", raw.coldStartTimeout,
                HoldConfig.DEFAULT_COLD_START_TIMEOUT);
        int maxPending = count(path + ".maxPendingRequests", raw.maxPendingRequests,
                HoldConfig.DEFAULT_MAX_PENDING_REQUESTS);
        StreamKeepAliveConfig keepAlive = streamKeepAlive(path + ".streamKeepAlive", raw.streamKeepAlive);
        WaitingPageConfig page = waitingPage(path + ".waitingPage", raw.waitingPage);
        FailoverConfig failover = failover(path + ".failover", raw.failover);
        if (keepAlive != null) {
            problems.add(path + ".streamKeepAlive.after", belowColdStart(keepAlive.after(), coldStart));
        }
        if (failover != null && failover.after() != null) {
            problems.add(path + ".failover.after", belowColdStart(failover.after(), coldStart));
        }
        return problems.covers(path) ? null : new HoldConfig(coldStart, maxPending, keepAlive, page, failover);
    }

    private static String belowColdStart(Duration value, Duration coldStart) {
        return value.compareTo(coldStart) < 0 ? null : Durations.format(value)
                + " (expected: below hold.coldStartTimeout, " + Durations.format(coldStart) + ")";
    }

    private StreamKeepAliveConfig streamKeepAlive(String path, RawConfig.StreamKeepAlive raw) {
        if (raw == null) {
            return null;
        }
        Duration after = duration(path + ".after", raw.after, StreamKeepAliveConfig.DEFAULT_AFTER);
        Duration interval = duration(path + ".interval", raw.interval, StreamKeepAliveConfig.DEFAULT_INTERVAL);
        return problems.covers(path) ? null : new StreamKeepAliveConfig(after, interval);
    }

    private WaitingPageConfig waitingPage(String path, RawConfig.WaitingPage raw) {
        if (raw == null) {
            return null;
        }
        Duration after = or(raw.after, WaitingPageConfig.DEFAULT_AFTER);
        problems.add(path + ".after", Checks.nonNegative(after));
        if (raw.refresh != null) {
            problems.add(path + ".refresh", Checks.positive(raw.refresh));
        }
        String template = raw.template == null ? null : template(path + ".template", raw.template);
        return problems.covers(path) ? null : new WaitingPageConfig(after, raw.refresh, template);
    }

    /** Reads a waiting page template file, relative to the configuration file. */
    private String template(String path, String file) {
        Path resolved = baseDirectory.resolve(file);
        try {
            byte[] bytes = Files.readAllBytes(resolved);
            if (bytes.length > WaitingPageConfig.MAX_TEMPLATE_BYTES) {
                problems.add(path, resolved + " has " + bytes.length + " bytes (expected: an HTML file of at most "
                        + WaitingPageConfig.MAX_TEMPLATE_BYTES + " bytes)");
                return null;
            }
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | RuntimeException e) {
            problems.add(path, resolved + " cannot be read: " + e + " (expected: a readable HTML file)");
            return null;
        }
    }

    private FailoverConfig failover(String path, RawConfig.Failover raw) {
        if (raw == null) {
            return null;
        }
        URI url = null;
        try {
            url = Checks.parseUrl(raw.url);
        } catch (IllegalArgumentException e) {
            problems.add(path + ".url", e.getMessage());
        }
        if (raw.after != null) {
            problems.add(path + ".after", Checks.positive(raw.after));
        }
        boolean onQueueFull = or(raw.onQueueFull, Boolean.TRUE);
        if (raw.after == null && !onQueueFull) {
            problems.add(path + ".onQueueFull", "false and no after is set (expected: a time held before failing"
                    + " over, onQueueFull: true, or both)");
        }
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (raw.headers != null) {
            for (Map.Entry<String, String> h : raw.headers.entrySet()) {
                String field = path + ".headers." + h.getKey();
                problems.add(field, Checks.headerName(h.getKey()));
                if (h.getValue() == null) {
                    problems.add(field, Checks.missing("a header value"));
                    continue;
                }
                String value = expand(field, h.getValue());
                if (value != null) {
                    problems.add(field, Checks.headerValue(value));
                    headers.put(h.getKey(), value);
                }
            }
        }
        return problems.covers(path) ? null : new FailoverConfig(url, raw.after, onQueueFull, headers);
    }

    private Duration duration(String path, Duration value, Duration defaultValue) {
        Duration d = value != null ? value : defaultValue;
        problems.add(path, Checks.positive(d));
        return d;
    }

    private long size(String path, RawConfig.ByteSize value, long defaultValue) {
        long bytes = value != null ? value.bytes() : defaultValue;
        problems.add(path, Checks.positiveSize(bytes));
        return bytes;
    }

    private long intSize(String path, RawConfig.ByteSize value, long defaultValue) {
        long bytes = size(path, value, defaultValue);
        problems.add(path, Checks.intSize(bytes));
        return bytes;
    }

    private int count(String path, Long value, int defaultValue) {
        long n = or(value, (long) defaultValue);
        problems.add(path, Checks.positive(n));
        return (int) n;
    }

    private static <T> T or(T value, T defaultValue) {
        return value != null ? value : defaultValue;
    }

    private static <T> List<T> list(List<T> value) {
        return value != null ? value : List.of();
    }

    /** Two process backends cannot listen on the same address and port. */
    private void checkProcessPorts(List<RouteConfig> routes) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            ProcessBackendConfig p = routes.get(i).backend().processBackend();
            if (p == null) {
                continue;
            }
            Integer first = seen.putIfAbsent(p.host() + ":" + p.port(), i);
            if (first != null) {
                problems.add("routes[" + i + "].backend.process.port", p.port() + " is also the port of routes["
                        + first + "] (expected: a port no other process route uses)");
            }
        }
    }
}
