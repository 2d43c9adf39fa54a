package io.wakegate.kubetest;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The third-party CRDs Wakegate writes objects of, kept unmodified in this module's resources
 * (source, version and licence in {@code crds/NOTICE.md} beside them): KEDA's ScaledObject and
 * Istio's VirtualService. Tests install them into the API server, which then validates every
 * object the controller writes, and read their schemas.
 */
public enum ReferenceCrds {
    /** KEDA v2.21.0 {@code scaledobjects.keda.sh} (Apache-2.0). */
    SCALED_OBJECT("keda.sh_scaledobjects.yaml", "scaledobjects.keda.sh"),
    /** Istio {@code virtualservices.networking.istio.io} (Apache-2.0). */
    VIRTUAL_SERVICE("istio-virtualservices.crd.yaml", "virtualservices.networking.istio.io");

    private final String file;
    private final String crdName;

    ReferenceCrds(String file, String crdName) {
        this.file = file;
        this.crdName = crdName;
    }

    /** The file name, as published. */
    public String file() {
        return file;
    }

    /** The CRD's {@code metadata.name}. */
    public String crdName() {
        return crdName;
    }

    /** The CRD YAML as published. */
    public InputStream open() {
        InputStream in = ReferenceCrds.class.getResourceAsStream("crds/" + file);
        if (in == null) {
            throw new IllegalStateException("resource io/wakegate/kubetest/crds/" + file + " missing from the classpath");
        }
        return in;
    }

    /** Installs the CRD unless present, and waits until the API server serves it. */
    public void install(KubernetesClient client) {
        if (client.apiextensions().v1().customResourceDefinitions().withName(crdName).get() != null) {
            return;
        }
        try (InputStream in = open()) {
            CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
            installAndWait(client, crd);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates {@code crd} and waits (up to 30 s) for its {@code Established} condition. */
    public static CustomResourceDefinition installAndWait(KubernetesClient client, CustomResourceDefinition crd) {
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        return client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
                        && c.getStatus().getConditions().stream().anyMatch(
                                cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
                        Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    }
}
