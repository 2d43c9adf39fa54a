/**
 * The admin server, on its own port and event loop: {@code /healthz}, {@code /readyz},
 * {@code /metrics} (Prometheus) and {@code /queue} (per-route demand and endpoints as JSON).
 *
 * <p>Start reading at {@link io.wakegate.interceptor.admin.AdminServer}.
 */
package io.wakegate.interceptor.admin;
