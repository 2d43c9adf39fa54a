/**
 * Routing: from a request's host, path and headers to the caller's route object, the first
 * step a request takes through the interceptor. Start reading at {@link
 * io.wakegate.interceptor.routing.RouteMatcher}: a table of {@link
 * io.wakegate.interceptor.routing.RouteRule}s built once, immutable and thread-safe, meant to be
 * rebuilt as a whole and published through one {@code AtomicReference}. A lookup costs
 * O(host labels + path segments) whatever the number of routes, and allocates nothing.
 */
package io.wakegate.interceptor.routing;
