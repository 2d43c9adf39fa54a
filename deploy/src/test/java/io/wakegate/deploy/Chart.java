package io.wakegate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The chart under test, rendered and linted by Helm's own engine (helm-java). Works on a copy in
 * target/ with crds/ resolved to the generated files in deploy/crds — what `helm package` does
 * with the crds symlink — so the tests see exactly what a user installs.
 */
final class Chart {

    static final String RELEASE = "wakegate";
    static final String NAMESPACE = "wakegate";
    private static final AtomicInteger COPIES = new AtomicInteger();

    private Chart() {
    }

    /** A copy of the chart; with {@code overrides} (YAML) merged into its values.yaml when non-null. */
    static Path copy(String overrides) {
        Path target = Repo.root().resolve("deploy/target/charts/" + COPIES.incrementAndGet() + "/wakegate");
        try {
            deleteTree(target.getParent());
            Path source = Repo.chart();
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : files.toList()) {
                    Path rel = source.relativize(file);
                    if (rel.startsWith("crds")) {
                        continue;
                    }
                    Path to = target.resolve(rel.toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            List<Path> crds = Repo.generatedCrdFiles();
            if (!crds.isEmpty()) {
                Files.createDirectories(target.resolve("crds"));
                for (Path crd : crds) {
                    Files.copy(crd, target.resolve("crds").resolve(crd.getFileName()));
                }
            }
            if (overrides != null) {
                JsonNode values = Yaml.merge(Yaml.read(Files.readString(source.resolve("values.yaml"))), Yaml.read(overrides));
                Files.writeString(target.resolve("values.yaml"), Yaml.write(values));
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** `helm template` of the chart with its values.yaml plus {@code overrides} (null: defaults). */
    static String template(String overrides) {
        return new Helm(copy(overrides)).template().withName(RELEASE).withNamespace(NAMESPACE).call();
    }

    static List<ObjectNode> render(String overrides) {
        return Yaml.documents(template(overrides));
    }

    /** `helm lint --strict` with the given values baked into the copy's values.yaml. */
    static LintResult lint(String overrides) {
        return new Helm(copy(overrides)).lint().strict().call();
    }

    /** The chart's appVersion: the default image tag. */
    static String appVersion() {
        try {
            return Yaml.read(Files.readString(Repo.chart().resolve("Chart.yaml"))).path("appVersion").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String resource(String name) {
        try (var in = Chart.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new AssertionError("test resource missing: " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
