/**
 * Kubernetes endpoint sources: a route's ready endpoints from its Service's EndpointSlices
 * (ready, not terminating), watched through informers — event-driven, no polling of the API.
 * With a readiness path, each new endpoint is probed before it gets traffic, so requests wait
 * for the model to be loaded, not just for the pod to be Ready. Addresses of FQDN slices are
 * resolved by {@link io.wakegate.interceptor.backend.kubernetes.FqdnResolver}, off every event loop
 * and off the recompute path; those of IPv4 and IPv6 slices are literals, never looked up.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.backend.kubernetes.EndpointSliceSource}.
 */
package io.wakegate.interceptor.backend.kubernetes;
