/**
 * HTTP/1.1 plumbing shared by the proxy's handlers: the documented error responses
 * ({@link io.wakegate.interceptor.http.Reason}, {@link io.wakegate.interceptor.http.ErrorResponses}),
 * header rewriting between hops ({@link io.wakegate.interceptor.http.ForwardedHeaders}), the
 * request guard that turns malformed or oversized input into 400/413/414/431 before anything is
 * routed ({@link io.wakegate.interceptor.http.RequestGuard}), and the client-side timeouts that
 * close idle and slow-header connections ({@link io.wakegate.interceptor.http.ClientTimeoutsHandler}).
 *
 * <p>Start reading at {@link io.wakegate.interceptor.http.Reason}: it is the list of every way a
 * request can end without a backend response.
 */
package io.wakegate.interceptor.http;
