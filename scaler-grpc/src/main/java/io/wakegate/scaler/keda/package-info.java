/**
 * KEDA's side: the {@code externalscaler.ExternalScaler} service, trigger metadata
 * parsing, and the open {@code StreamIsActive} streams that are pushed a value when a route
 * flips. Start reading at {@link io.wakegate.scaler.keda.ExternalScalerService}.
 */
package io.wakegate.scaler.keda;
