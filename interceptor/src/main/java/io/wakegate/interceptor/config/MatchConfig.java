package io.wakegate.interceptor.config;

import java.util.List;

/**
 * Which requests a route takes. Every list is optional and empty when absent. The entries
 * are interpreted (and checked in depth) by the routing package; here hosts are only
 * required to be non-blank and path prefixes to start with {@code /}.
 *
 * @param hosts        {@code Host} header patterns
 * @param pathPrefixes path prefixes, each starting with {@code /}
 * @param headers      header conditions
 * @param models       OpenAI model names the route serves (aliases); empty = it does not route by model
 */
public record MatchConfig(List<String> hosts, List<String> pathPrefixes, List<HeaderMatchConfig> headers,
                          List<String> models) {

    public MatchConfig {
        hosts = List.copyOf(hosts);
        pathPrefixes = List.copyOf(pathPrefixes);
        headers = List.copyOf(headers);
        models = models == null ? List.of() : List.copyOf(models);
        for (int i = 0; i < hosts.size(); i++) {
            Checks.require("hosts[" + i + "]", Checks.notBlank(hosts.get(i), "a host pattern"));
        }
        for (int i = 0; i < pathPrefixes.size(); i++) {
            Checks.require("pathPrefixes[" + i + "]", Checks.pathPrefix(pathPrefixes.get(i)));
        }
    }

    /** Conditions on host, path and headers only. */
    public MatchConfig(List<String> hosts, List<String> pathPrefixes, List<HeaderMatchConfig> headers) {
        this(hosts, pathPrefixes, headers, List.of());
    }

    /** No conditions: what an absent {@code match} means. */
    public static MatchConfig defaults() {
        return new MatchConfig(List.of(), List.of(), List.of());
    }
}
