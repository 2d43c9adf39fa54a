/**
 * Demand aggregation: the latest report of every live interceptor, summed per route, and
 * per-route time buckets of request and concurrency increments for windowed averages.
 * Start reading at {@link io.wakegate.scaler.aggregate.DemandAggregator}; the KEDA side
 * reads {@link io.wakegate.scaler.aggregate.RouteStats}.
 */
package io.wakegate.scaler.aggregate;
