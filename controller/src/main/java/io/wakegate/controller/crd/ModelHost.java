package io.wakegate.controller.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One model server that Wakegate scales from zero: its routing rules, its workload and Service,
 * its scaling and holding policy. The controller derives a KEDA ScaledObject, an Istio
 * VirtualService and a route-table entry from it.
 */
@Group(ModelHost.GROUP)
@Version(ModelHost.VERSION)
@Kind(ModelHost.KIND)
@Plural(ModelHost.PLURAL)
@Singular("modelhost")
@ShortNames("mh")
// kubectl shows these columns in this order (the build's CrdGenerator keeps it; the CRD
// generator alone sorts them by JSON path).
@AdditionalPrinterColumn(name = "Hosts", jsonPath = ".spec.match.hosts", type = AdditionalPrinterColumn.Type.STRING)
// Models only with -o wide (priority 1): most ModelHosts have none.
@AdditionalPrinterColumn(name = "Models", jsonPath = ".spec.match.models", type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(name = "Target", jsonPath = ".spec.target.name", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Min", jsonPath = ".spec.replicas.min", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Max", jsonPath = ".spec.replicas.max", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".status.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ModelHost extends CustomResource<ModelHostSpec, ModelHostStatus> implements Namespaced {

  public static final String GROUP = "wakegate.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "ModelHost";
  public static final String PLURAL = "modelhosts";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  @Override
  protected ModelHostSpec initSpec() {
    return null;
  }

  @Override
  protected ModelHostStatus initStatus() {
    return null;
  }
}
