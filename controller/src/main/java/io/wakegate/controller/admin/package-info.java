/**
 * The controller's plain-HTTP admin port: {@code /healthz} (the process runs), {@code /readyz}
 * (caches synced, or a follower waiting for the Lease) and {@code /metrics} (Prometheus). Start
 * reading at {@link io.wakegate.controller.admin.AdminServer}; the meters are in
 * {@link io.wakegate.controller.admin.ControllerMetrics}.
 */
package io.wakegate.controller.admin;
