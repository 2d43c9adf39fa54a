package io.wakegate.interceptor.config;

/**
 * Where the interceptor listens: the proxy port for client traffic and the admin port for
 * health, metrics, the route view and its controls. Port 0 asks the OS for an ephemeral port
 * (tests).
 *
 * @param bindAddress      address of the proxy listener
 * @param port             proxy port, 0..65535
 * @param adminBindAddress address of the admin listener; loopback by default, because the admin
 *                         API can wake and stop backends
 * @param adminPort        admin port, 0..65535, different from {@code port} unless both are 0
 * @param adminToken       the bearer token the admin API's mutating calls need (from
 *                         {@code adminTokenFile} or {@code WAKEGATE_ADMIN_TOKEN}); null when none
 *                         is set, and then those calls are allowed only on a loopback listener
 * @param transport        the socket transport: {@code auto} (epoll where it is available, else
 *                         NIO), {@code epoll}, {@code io_uring} or {@code nio}
 * @param ioThreads        event loops for client and backend connections; 0 = one per core
 */
public record ServerConfig(String bindAddress, int port, String adminBindAddress, int adminPort, String adminToken,
                           String transport, int ioThreads) {

    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_ADMIN_BIND_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_ADMIN_PORT = 9090;
    /** The environment variable that holds the admin token when no {@code server.adminTokenFile} is set. */
    public static final String ADMIN_TOKEN_ENV = "WAKEGATE_ADMIN_TOKEN";
    public static final String DEFAULT_TRANSPORT = "auto";
    public static final java.util.List<String> TRANSPORTS = java.util.List.of("auto", "epoll", "io_uring", "nio");

    public ServerConfig {
        Checks.require("bindAddress", Checks.notBlank(bindAddress, "an address"));
        Checks.require("port", Checks.port(port));
        Checks.require("adminBindAddress", Checks.notBlank(adminBindAddress, "an address"));
        Checks.require("adminPort", Checks.port(adminPort));
        Checks.require("adminPort", Checks.distinctPorts(port, adminPort));
        if (adminToken != null && adminToken.isBlank()) {
            adminToken = null;
        }
        Checks.require("transport", Checks.oneOf(transport, TRANSPORTS));
        Checks.require("ioThreads", Checks.nonNegative(ioThreads));
    }

    /** The default transport and event loops. */
    public ServerConfig(String bindAddress, int port, String adminBindAddress, int adminPort, String adminToken) {
        this(bindAddress, port, adminBindAddress, adminPort, adminToken, DEFAULT_TRANSPORT, 0);
    }

    /** Without an admin token. */
    public ServerConfig(String bindAddress, int port, String adminBindAddress, int adminPort) {
        this(bindAddress, port, adminBindAddress, adminPort, null);
    }

    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_BIND_ADDRESS, DEFAULT_PORT, DEFAULT_ADMIN_BIND_ADDRESS, DEFAULT_ADMIN_PORT);
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "ServerConfig[bindAddress=" + bindAddress + ", port=" + port + ", adminBindAddress=" + adminBindAddress
                + ", adminPort=" + adminPort + ", adminToken=" + (adminToken == null ? "none" : "(set)")
                + ", transport=" + transport + ", ioThreads=" + ioThreads + "]";
    }
}
