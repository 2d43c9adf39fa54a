package io.wakegate.interceptor.config;

/**
 * Kubernetes mode: where the route table comes from. With {@code routeTable} set, routes are
 * read from that ConfigMap (written by the Wakegate controller) instead of this file, and the
 * last good table is kept while the ConfigMap is missing or invalid.
 *
 * @param routeTable the ConfigMap holding the route table, or null: routes come from this file
 */
public record KubernetesConfig(RouteTableSource routeTable) {

    /**
     * @param namespace Wakegate's namespace
     * @param configMap the ConfigMap's name (default {@code wakegate-routes})
     * @param key       the data key holding the table as protobuf JSON (default {@code routes.json})
     */
    public record RouteTableSource(String namespace, String configMap, String key) {
        public static final String DEFAULT_CONFIG_MAP = "wakegate-routes";
        public static final String DEFAULT_KEY = "routes.json";

        public RouteTableSource {
            Checks.require("namespace", Checks.dnsLabel(namespace));
            Checks.require("configMap", Checks.dnsSubdomain(configMap));
            Checks.require("key", key == null || key.isBlank() ? Checks.missing("a data key") : null);
        }
    }
}
