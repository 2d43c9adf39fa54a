/**
 * The {@code ModelHost} custom resource ({@code wakegate.io/v1alpha1}): spec and status types.
 * The CRD YAML in {@code deploy/crds/} is generated from these types at build time, so the
 * schema's defaults, bounds and CEL rules live here as annotations. Start reading at
 * {@link io.wakegate.controller.crd.ModelHost}, then {@link io.wakegate.controller.crd.ModelHostSpec}.
 *
 * <p>The records fill unset fields with the same defaults the schema declares: the API server
 * applies schema defaults, but the controller must not depend on it (older objects, test
 * servers), so a deserialized spec is always complete.
 */
package io.wakegate.controller.crd;
