package io.wakegate.interceptor.routing;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One published version of the route table: the matcher and the live routes it leads to.
 * Immutable; replaced whole through one reference, so a lookup is one volatile read and takes no
 * lock.
 *
 * @param version increases with every published table
 * @param matcher from request head (and model name) to route
 * @param routes  the live routes by name, in declaration order
 * @param models  every model name the routes list, sorted, with the route serving it (the first
 *                route listing it, when several list it on different hosts)
 */
public record RouteTable(long version, RouteMatcher<Route> matcher, Map<String, Route> routes,
                         Map<String, Route> models) {

    /** The table before any configuration: everything is 404. */
    public static final RouteTable EMPTY = new RouteTable(0, RouteMatcher.<Route>builder().build(), Map.of(), Map.of());

    public RouteTable {
        routes = Collections.unmodifiableMap(new LinkedHashMap<>(routes));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }

    /** A table without models. */
    public RouteTable(long version, RouteMatcher<Route> matcher, Map<String, Route> routes) {
        this(version, matcher, routes, Map.of());
    }

    /** The route for a request head naming no model, or null. Allocation-free; called on event loops. */
    public Route match(String host, String path, HttpHeaders headers) {
        return matcher.match(host, path, headers, null);
    }

    /** The route for a request naming {@code model} (null for none), or null. */
    public Route match(String host, String path, HttpHeaders headers, String model) {
        return matcher.match(host, path, headers, model);
    }

    /** Whether the route of this request head depends on the model it names (see {@link RouteMatcher#needsModel}). */
    public boolean needsModel(String host, String path, HttpHeaders headers) {
        return matcher.needsModel(host, path, headers);
    }

    public List<Route> list() {
        return List.copyOf(routes.values());
    }
}
