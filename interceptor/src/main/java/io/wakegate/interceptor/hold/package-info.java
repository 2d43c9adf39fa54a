/**
 * Holding and admission. Each route has a {@link io.wakegate.interceptor.hold.RouteGate}: a
 * bounded FIFO queue of requests waiting for a ready endpoint with spare capacity, released the
 * moment one is available — by an event from the endpoint source or by a finishing request, never
 * by polling. {@link io.wakegate.interceptor.hold.HoldLimit} caps held requests across all routes.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.hold.RouteGate}.
 */
package io.wakegate.interceptor.hold;
