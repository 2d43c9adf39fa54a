/**
 * The scaler's plain-HTTP admin port: {@code /metrics} (Prometheus), {@code /healthz}
 * (the process runs) and {@code /readyz} (a first demand report has arrived). Start
 * reading at {@link io.wakegate.scaler.admin.AdminServer}.
 */
package io.wakegate.scaler.admin;
