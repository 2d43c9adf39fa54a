/**
 * Everything that talks to the API server: informer caches ({@link io.wakegate.controller.kube.Cluster}),
 * writes ({@link io.wakegate.controller.kube.Writer}: create, update with resourceVersion, JSON
 * merge patch of the status, Events) and leader election ({@link io.wakegate.controller.kube.Leadership}).
 * KEDA's and Istio's resources are handled as {@code GenericKubernetesResource} through the
 * contexts in {@link io.wakegate.controller.kube.Apis}; their informers start only once their CRD
 * exists, and stop if it goes away.
 *
 * <p>Threading: informer callbacks run on Fabric8's informer threads and only call the change
 * listener; every read and write is made from the reconcile thread.
 */
package io.wakegate.controller.kube;
