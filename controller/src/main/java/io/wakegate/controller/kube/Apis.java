package io.wakegate.controller.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** The optional APIs the controller writes: KEDA's ScaledObject and Istio's VirtualService. */
public enum Apis {
  SCALED_OBJECT("keda.sh", "v1alpha1", "ScaledObject", "scaledobjects"),
  VIRTUAL_SERVICE("networking.istio.io", "v1", "VirtualService", "virtualservices");

  private final ResourceDefinitionContext context;
  private final String crdName;

  Apis(String group, String version, String kind, String plural) {
    this.context = new ResourceDefinitionContext.Builder()
        .withGroup(group).withVersion(version).withKind(kind).withPlural(plural).withNamespaced(true).build();
    this.crdName = plural + "." + group;
  }

  public ResourceDefinitionContext context() {
    return context;
  }

  /** The name of the CustomResourceDefinition whose presence means the API can be used. */
  public String crdName() {
    return crdName;
  }

  public String kind() {
    return context.getKind();
  }
}
