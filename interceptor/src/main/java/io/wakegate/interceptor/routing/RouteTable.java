package io.wakegate.interceptor.routing;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;

/**
 * One published version of the route table: the matcher and the live routes it leads to.
 * Immutable; replaced whole through one reference, so a lookup is one volatile read and takes no
 * lock.
 *
 * @param version increases with every published table
 * @param matcher from request head to route
 * @param routes  the live routes by name, in declaration order
 */
public record RouteTable(long version, RouteMatcher<Route> matcher, Map<String, Route> routes) {

    /** The table before any configuration: everything is 404. */
    public static final RouteTable EMPTY = new RouteTable(0, RouteMatcher.<Route>builder().build(), Map.of());

    public RouteTable {
        routes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(routes));
    }

    /** The route for a request head, or null. Allocation-light; called on event loops. */
    public Route match(String host, String path, HttpHeaders headers) {
        return matcher.match(host, path, headers);
    }

    public List<Route> list() {
        return List.copyOf(routes.values());
    }
}
