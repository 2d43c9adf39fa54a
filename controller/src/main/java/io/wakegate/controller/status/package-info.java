/**
 * ModelHost status: the condition types and reasons, and the merge that keeps a condition's
 * {@code lastTransitionTime} unless its status flips. Start at {@link
 * io.wakegate.controller.status.StatusCalculator}, which turns what one reconcile pass learned
 * ({@link io.wakegate.controller.status.Observation}) into a status; pure, like {@code desired}.
 */
package io.wakegate.controller.status;
