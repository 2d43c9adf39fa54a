package io.wakegate.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.wakegate.kubetest.ReferenceCrds;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The CRDs the build generated into {@code deploy/crds/} (process-test-classes runs before the tests). */
public final class GeneratedCrd {

  private GeneratedCrd() {
  }

  /** {@code deploy/crds/}, from the controller module's directory. */
  public static Path dir() {
    Path dir = Path.of("").toAbsolutePath().getParent().resolve("deploy/crds");
    assertThat(dir).as("generated CRDs").isDirectory();
    return dir;
  }

  /** Every generated CRD. */
  public static List<CustomResourceDefinition> all() {
    try (Stream<Path> files = Files.list(dir())) {
      return files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted()
          .map(GeneratedCrd::read).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Installs every generated CRD unless present, waiting until each is established. */
  public static void install(KubernetesClient client) {
    for (CustomResourceDefinition crd : all()) {
      if (client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get() == null) {
        ReferenceCrds.installAndWait(client, crd);
      }
    }
  }

  private static CustomResourceDefinition read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
