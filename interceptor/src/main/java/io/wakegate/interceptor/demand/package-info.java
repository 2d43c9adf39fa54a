/**
 * Demand accounting, a side tap on the request path: per route, requests held now, in flight
 * now, a monotonic request count and the time-integral of concurrency. The hold and forward
 * code change the counters through {@link io.wakegate.interceptor.demand.DemandCounter}; the
 * scaler reporter and the admin endpoints read them through
 * {@link io.wakegate.interceptor.demand.DemandView}.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.demand.DemandCounter}.
 */
package io.wakegate.interceptor.demand;
