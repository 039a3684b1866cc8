package io.openmeet.deploytests;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths inside the repository; the build passes its root as the system property openmeet.root. */
final class Repo {
  private Repo() {}

  static Path root() {
    String root = System.getProperty("openmeet.root");
    Path path = root == null ? Path.of("..") : Path.of(root);
    path = path.toAbsolutePath().normalize();
    if (!Files.isDirectory(path.resolve("helm/openmeet"))) {
      throw new IllegalStateException("no helm/openmeet under " + path + " (set -Dopenmeet.root)");
    }
    return path;
  }

  static Path chart() {
    return root().resolve("helm/openmeet");
  }

  static Path terraform() {
    return root().resolve("terraform");
  }

  static Path deployTests() {
    return root().resolve("deploy-tests");
  }
}
