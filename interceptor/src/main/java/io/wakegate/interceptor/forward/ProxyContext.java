package io.wakegate.interceptor.forward;

import io.wakegate.interceptor.hold.ReadAheadBudget;
import io.wakegate.interceptor.metrics.ProxyMetrics;
import io.wakegate.interceptor.routing.Route;
import io.wakegate.interceptor.routing.RouteTable;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every client connection shares: the current route table, backend pools, settings,
 * metrics, and whether the server is draining. Immutable; thread-safe.
 *
 * @param routes   the current route table; read once per request
 * @param draining  true once shutdown began: responses close their connections
 * @param readAhead the bytes of request bodies read to find their model, over all connections
 * @param states    a route's state as {@code GET /v1/models} shows it: sleeping, waking, ready or failed
 */
public record ProxyContext(Supplier<RouteTable> routes, BackendPools pools, ForwardSettings settings,
                           ProxyMetrics metrics, BooleanSupplier draining, ReadAheadBudget readAhead,
                           Function<Route, String> states) {
}
