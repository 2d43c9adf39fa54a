package io.wakegate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Paths in the repository, found from the module directory. */
final class Repo {

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
}
