package io.wakegate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Paths of the repository and of {@code shared/ref} beside it, found from the module directory. */
final class Repo {

    static final String KEDA_CRD = "keda.sh_scaledobjects.yaml";
    static final String ISTIO_CRD = "istio-virtualservices.crd.yaml";

    private Repo() {
    }

    /** The repository root: the nearest parent holding deploy/helm/wakegate/Chart.yaml. */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy/helm/wakegate/Chart.yaml"))) {
                return dir;
            }
        }
        throw new AssertionError("repository root not found above " + Path.of("").toAbsolutePath());
    }

    static Path chart() {
        return root().resolve("deploy/helm/wakegate");
    }

    /** deploy/crds: written by the controller module's CRD generator. */
    static Path generatedCrds() {
        return root().resolve("deploy/crds");
    }

    /** The generated CRD files; empty while the controller does not generate any yet. */
    static List<Path> generatedCrdFiles() {
        Path dir = generatedCrds();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the controller module generates CRDs into deploy/crds (then they must be there). */
    static boolean controllerGeneratesCrds() {
        try {
            Path pom = root().resolve("controller/pom.xml");
            return Files.isRegularFile(pom) && Files.readString(pom).contains("crd-generator-maven-plugin");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The reference CRDs (KEDA ScaledObject, Istio VirtualService): {@code -Dwakegate.shared.ref=DIR},
     * else {@code shared/ref} in the nearest parent of the module directory that has one
     * ({@code ../../shared/ref} from deploy/). Fails loudly when they are missing.
     */
    static Path sharedRef() {
        String explicit = System.getProperty("wakegate.shared.ref");
        if (explicit != null) {
            return requireRef(Path.of(explicit));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/ref");
            if (Files.isDirectory(candidate)) {
                return requireRef(candidate);
            }
        }
        throw new AssertionError("shared/ref (" + KEDA_CRD + ", " + ISTIO_CRD + ") not found in any parent of "
                + Path.of("").toAbsolutePath() + "; expected ../../shared/ref from deploy/, or set -Dwakegate.shared.ref=DIR");
    }

    private static Path requireRef(Path dir) {
        for (String name : List.of(KEDA_CRD, ISTIO_CRD)) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new AssertionError("reference CRD missing: " + dir.resolve(name).toAbsolutePath());
            }
        }
        return dir;
    }
}
