/**
 * Where a route's ready endpoints come from. An {@link io.wakegate.interceptor.backend.EndpointSource}
 * tells its {@link io.wakegate.interceptor.backend.EndpointListener} the full list of ready
 * {@link io.wakegate.interceptor.backend.Endpoint}s whenever it changes, and is woken when a
 * request waits for a cold backend; a backend that cannot become ready fails the waiting
 * requests with a {@link io.wakegate.interceptor.backend.StartFailure}. This package has the
 * static source (fixed URLs, health checked); local processes and Kubernetes EndpointSlices are
 * further sources.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.backend.EndpointSource}.
 */
package io.wakegate.interceptor.backend;
