package io.wakegate.interceptor.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A backend that is a Kubernetes Service: its ready endpoints come from the Service's
 * EndpointSlices (ready and not terminating), optionally confirmed by an HTTP probe on each new
 * endpoint so requests wait for the model to be loaded, not just the pod to be Ready.
 *
 * @param namespace     the Service's namespace
 * @param service       the Service's name
 * @param portNumber    the Service port's number, or 0 when given by name
 * @param portName      the Service port's name, or null when given by number
 * @param readinessPath GET path probed on each new endpoint before it gets traffic; null = the
 *                      EndpointSlice condition alone decides
 * @param probeInterval time between probes of an endpoint that has not passed yet
 * @param forwardTo     {@code pods}: connect to pod addresses (least loaded, per-endpoint cap);
 *                      {@code service}: connect to the Service's cluster IP (for Istio mTLS
 *                      STRICT, where the sidecar must see the Service)
 */
public record KubernetesBackendConfig(String namespace, String service, int portNumber, String portName,
                                      String readinessPath, Duration probeInterval, ForwardTo forwardTo) {

    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);

    /** Where connections go. */
    public enum ForwardTo { PODS, SERVICE }

    public KubernetesBackendConfig {
        Checks.require("namespace", Checks.dnsLabel(namespace));
        Checks.require("service", Checks.dnsLabel(service));
        Checks.require("port", portNumber == 0 && (portName == null || portName.isEmpty())
                ? Checks.missing("the Service port's number or name") : null);
        if (portNumber != 0) {
            Checks.require("port", Checks.processPort(portNumber));
        }
        if (readinessPath != null) {
            Checks.require("readinessPath", Checks.healthPath(readinessPath));
        }
        Checks.require("probeInterval", Checks.positive(probeInterval));
        Objects.requireNonNull(forwardTo, "forwardTo");
    }
}
