package io.wakegate.interceptor.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The whole interceptor configuration: the root of the YAML file.
 *
 * <p>Instances are immutable. {@link ConfigLoader} validates a file completely before it
 * builds one, reporting every problem with its path; the constructors of the records check
 * the same rules and throw {@link IllegalArgumentException} for hand-built instances.
 *
 * @param server     listening addresses and ports ({@code server})
 * @param limits     request size and time limits ({@code limits})
 * @param forwarding backend connection settings ({@code forwarding})
 * @param shutdown   graceful-shutdown timing ({@code shutdown})
 * @param routes     the route table, in file order; may be empty (every request is a 404)
 * @param scaler     where demand is reported ({@code scaler}), or null: no reporting (local mode)
 * @param kubernetes where routes come from in Kubernetes mode ({@code kubernetes}), or null
 */
public record WakegateConfig(ServerConfig server, LimitsConfig limits, ForwardingConfig forwarding,
                             ShutdownConfig shutdown, List<RouteConfig> routes, ScalerConfig scaler,
                             KubernetesConfig kubernetes) {

    /** A local configuration: routes from the file, demand reported nowhere. */
    public WakegateConfig(ServerConfig server, LimitsConfig limits, ForwardingConfig forwarding,
                          ShutdownConfig shutdown, List<RouteConfig> routes) {
        this(server, limits, forwarding, shutdown, routes, null, null);
    }

    /** The same configuration with {@code routes} (a route table read from Kubernetes). */
    public WakegateConfig withRoutes(List<RouteConfig> routes) {
        return new WakegateConfig(server, limits, forwarding, shutdown, routes, scaler, kubernetes);
    }

    public WakegateConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(forwarding, "forwarding");
        Objects.requireNonNull(shutdown, "shutdown");
        routes = List.copyOf(routes);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            Integer previous = seen.putIfAbsent(routes.get(i).name(), i);
            if (previous != null) {
                throw new IllegalArgumentException(Checks.duplicateRouteName(
                        "routes[" + i + "].name", routes.get(i).name(), previous));
            }
        }
    }

    /** Every section at its default and no routes: what an empty file means. */
    public static WakegateConfig defaults() {
        return new WakegateConfig(ServerConfig.defaults(), LimitsConfig.defaults(),
                ForwardingConfig.defaults(), ShutdownConfig.defaults(), List.of());
    }

    /** The route with this name, or {@code null}. */
    public RouteConfig route(String name) {
        for (RouteConfig route : routes) {
            if (route.name().equals(name)) {
                return route;
            }
        }
        return null;
    }
}
