/**
 * Prometheus metrics of the interceptor, through Micrometer. Meter names follow
 * {@code wakegate_interceptor_<what>_<unit>}. Per-route meters are resolved once per route
 * ({@link io.wakegate.interceptor.metrics.RouteMetrics}) so the request path never builds tags.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.metrics.ProxyMetrics}.
 */
package io.wakegate.interceptor.metrics;
