package io.wakegate.interceptor.config;

/**
 * Where the interceptor listens: the proxy port for client traffic and the admin port for
 * health, metrics and the queue view. Port 0 asks the OS for an ephemeral port (tests).
 *
 * @param bindAddress      address of the proxy listener
 * @param port             proxy port, 0..65535
 * @param adminBindAddress address of the admin listener
 * @param adminPort        admin port, 0..65535, different from {@code port} unless both are 0
 */
public record ServerConfig(String bindAddress, int port, String adminBindAddress, int adminPort) {

    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_ADMIN_BIND_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_ADMIN_PORT = 9090;

    public ServerConfig {
        Checks.require("bindAddress", Checks.notBlank(bindAddress, "an address"));
        Checks.require("port", Checks.port(port));
        Checks.require("adminBindAddress", Checks.notBlank(adminBindAddress, "an address"));
        Checks.require("adminPort", Checks.port(adminPort));
        Checks.require("adminPort", Checks.distinctPorts(port, adminPort));
    }

    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_BIND_ADDRESS, DEFAULT_PORT, DEFAULT_ADMIN_BIND_ADDRESS, DEFAULT_ADMIN_PORT);
    }
}
