/**
 * Holding and admission. Each route has a {@link io.wakegate.interceptor.hold.RouteGate}: a
 * bounded FIFO queue of requests waiting for a ready endpoint with spare capacity, released the
 * moment one is available — by an event from the endpoint source or by a finishing request, never
 * by polling. A request waits through a {@link io.wakegate.interceptor.hold.Ticket} (its timer,
 * the cancel-versus-admission race, the held-time metric) and, admitted, owns a
 * {@link io.wakegate.interceptor.hold.Lease} on one endpoint slot, returned exactly once.
 * {@link io.wakegate.interceptor.hold.HoldLimit} caps held requests across all routes.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.hold.RouteGate}, then
 * {@link io.wakegate.interceptor.hold.GateTicket}.
 */
package io.wakegate.interceptor.hold;
