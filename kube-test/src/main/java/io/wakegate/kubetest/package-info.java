/**
 * Test support, used only by other modules' tests: a real Kubernetes API server per test JVM
 * ({@link io.wakegate.kubetest.KubeApi}, start reading there), kube-controller-manager for
 * garbage collection, least-privilege ServiceAccount clients, what the API server answered ({@link io.wakegate.kubetest.ApiRecorder}), and the
 * reference KEDA and Istio CRDs ({@link io.wakegate.kubetest.ReferenceCrds}).
 */
package io.wakegate.kubetest;
