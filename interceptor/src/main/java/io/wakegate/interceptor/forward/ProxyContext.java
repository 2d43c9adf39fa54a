package io.wakegate.interceptor.forward;

import io.wakegate.interceptor.metrics.ProxyMetrics;
import io.wakegate.interceptor.routing.RouteTable;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What every client connection shares: the current route table, backend pools, settings,
 * metrics, and whether the server is draining. Immutable; thread-safe.
 *
 * @param routes   the current route table; read once per request
 * @param draining true once shutdown began: responses close their connections
 */
public record ProxyContext(Supplier<RouteTable> routes, BackendPools pools, ForwardSettings settings,
                           ProxyMetrics metrics, BooleanSupplier draining) {
}
