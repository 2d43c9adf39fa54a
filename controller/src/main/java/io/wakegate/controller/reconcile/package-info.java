/**
 * The reconcile loop. {@link io.wakegate.controller.reconcile.Controller} wires the caches, the
 * writer and the loop; {@link io.wakegate.controller.reconcile.Reconciler#reconcileAll()} is one
 * level-based pass over every ModelHost (start reading there); {@link
 * io.wakegate.controller.reconcile.ReconcileLoop} runs passes on one thread when anything changes,
 * on a resync period, and again with backoff after a failed pass.
 *
 * <p>Every pass recomputes everything from the caches — conflicts and the route table span all
 * ModelHosts — and writes only what differs, so running it twice changes nothing.
 */
package io.wakegate.controller.reconcile;
