/**
 * Desired state as pure functions: a {@code ModelHost} (plus the controller's {@link
 * io.wakegate.controller.desired.Settings} and what the cluster told us about its target) in,
 * the KEDA ScaledObject, the Istio VirtualService and the route-table entry out. Nothing here
 * talks to the API server, so everything here is unit-tested without one.
 *
 * <p>Start at {@link io.wakegate.controller.desired.Names} (every generated name), then
 * {@link io.wakegate.controller.desired.Targets} (resolving the workload, Service and port),
 * {@link io.wakegate.controller.desired.Claims} (host conflicts), {@link
 * io.wakegate.controller.desired.ScaledObjects}, {@link io.wakegate.controller.desired.VirtualServices}
 * and {@link io.wakegate.controller.desired.Routes}.
 */
package io.wakegate.controller.desired;
