/**
 * The Wakegate scaler: a KEDA external scaler fed by the demand every interceptor pushes.
 * {@link io.wakegate.scaler.ScalerMain} parses flags; {@link io.wakegate.scaler.ScalerServer}
 * owns the gRPC servers, health, the sweep thread and the admin port; the logic lives in
 * {@code aggregate}, {@code demand} and {@code keda}.
 */
package io.wakegate.scaler;
