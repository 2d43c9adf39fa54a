/**
 * The scaler's Prometheus meters ({@code wakegate_scaler_*}), registered once in
 * {@link io.wakegate.scaler.metrics.ScalerMetrics} and shared by every service.
 */
package io.wakegate.scaler.metrics;
