package io.wakegate.controller.crdgen;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.wakegate.controller.crd.ModelHost;
import java.io.File;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Writes {@code deploy/crds/} from the {@code crd} package; run by the build (process-test-classes,
 * before any test reads it),
 * never by the controller. Fabric8's CRD generator, plus one post-processing step: it lists
 * printer columns sorted by JSON path, and kubectl shows them in the order of the
 * {@code @AdditionalPrinterColumn} annotations on {@link ModelHost} instead.
 */
public final class CrdGenerator {

    private CrdGenerator() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CrdGenerator OUTPUT_DIR");
        }
        File out = new File(args[0]);
        if (!out.isDirectory() && !out.mkdirs()) {
            throw new IllegalStateException("cannot create " + out);
        }
        int written = new CRDGenerator()
                .customResourceClasses(ModelHost.class)
                .forCRDVersions("v1")
                .withPostProcessor(new DeclaredColumnOrder(ModelHost.class))
                .inOutputDir(out)
                .generate();
        if (written != 1) {
            throw new IllegalStateException("expected one CRD, generated " + written);
        }
    }

    /** Sorts each version's printer columns in the order their annotations are declared. */
    static final class DeclaredColumnOrder implements CRDPostProcessor {

        private final List<String> names;

        DeclaredColumnOrder(Class<?> resource) {
            names = Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
                    .map(AdditionalPrinterColumn::name).toList();
        }

        @Override
        public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
            if (crd instanceof CustomResourceDefinition v1) {
                for (CustomResourceDefinitionVersion version : v1.getSpec().getVersions()) {
                    if (version.getAdditionalPrinterColumns() != null) {
                        version.getAdditionalPrinterColumns().sort(Comparator.comparingInt(this::position));
                    }
                }
            }
            return crd;
        }

        private int position(CustomResourceColumnDefinition column) {
            int i = names.indexOf(column.getName());
            return i < 0 ? Integer.MAX_VALUE : i;
        }
    }
}
