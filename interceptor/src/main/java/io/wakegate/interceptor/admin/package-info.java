/**
 * The admin server, on its own port and event loop: {@code /healthz}, {@code /readyz},
 * {@code /metrics} (Prometheus), {@code /queue} (per-route demand and endpoints as JSON), the
 * route view {@code /api/routes} with its wake and sleep calls, and a status page at {@code /}.
 * {@link io.wakegate.interceptor.admin.RouteControl} computes the view and carries out the calls;
 * {@link io.wakegate.interceptor.admin.AdminAccess} decides who may make them.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.admin.AdminServer}.
 */
package io.wakegate.interceptor.admin;
