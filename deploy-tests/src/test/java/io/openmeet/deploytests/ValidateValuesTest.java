package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad values fail early with a readable message; generated secrets survive upgrades. */
class ValidateValuesTest {
  @TempDir Path tmp;

  @Test
  void brokenValuesFailWithOneReadableMessageListingEveryProblem() {
    Path broken = Repo.deployTests().resolve("src/test/resources/broken-values.yaml");

    assertThatThrownBy(() -> RenderedChart.render(broken))
        .hasMessageContaining("openmeet: invalid values:")
        .hasMessageContaining(
            "postgresql.enabled=true and externalDatabase.host are both set: choose the in-cluster"
                + " database or the external one")
        .hasMessageContaining("no Redis: set externalRedis.url")
        .hasMessageContaining("jvb.autoscaling.maxReplicas is below minReplicas")
        .hasMessageContaining("coturn.relayPortRange.min must be below coturn.relayPortRange.max");
  }

  @Test
  void theSchemaRejectsAnUnknownNetworkingModeAndAMisspeltKey() throws Exception {
    Path mode = tmp.resolve("mode.yaml");
    Files.writeString(mode, "jvb:\n  networking:\n    mode: nodePort\n");
    Path typo = tmp.resolve("typo.yaml");
    Files.writeString(typo, "roomApi:\n  replicas: 3\n");

    assertThatThrownBy(() -> RenderedChart.render(mode))
        .hasMessageContaining("/jvb/networking/mode")
        .hasMessageContaining("hostNetwork");
    assertThatThrownBy(() -> RenderedChart.render(typo)).hasMessageContaining("replicas");
  }

  @Test
  void aPdbThatWouldBlockEveryDrainIsRefused() throws Exception {
    Path values = tmp.resolve("pdb.yaml");
    Files.writeString(
        values,
        "roomApi:\n  replicaCount: 1\n  autoscaling:\n    enabled: false\n"
            + "  pdb:\n    enabled: true\n    minAvailable: 1\n");

    assertThatThrownBy(() -> RenderedChart.render(values))
        .hasMessageContaining("would block every node drain");
  }

  @Test
  void generatedSecretsAreKeptAcrossUpgrades() {
    FakeKubernetesApi api = FakeKubernetesApi.start();
    String name = RenderedChart.name("secrets");
    try {
      Secret fresh = RenderedChart.render(null).get(Secret.class, name);
      assertThat(decode(fresh, "jvb-password")).hasSize(32);

      api.putSecret(
          RenderedChart.NAMESPACE,
          name,
          Map.of(
              "focus-password", "kept-focus-password",
              "jvb-password", "kept-jvb-password",
              "turn-secret", "kept-turn-secret"));
      Secret upgraded = RenderedChart.render(null).get(Secret.class, name);

      assertThat(decode(upgraded, "focus-password")).isEqualTo("kept-focus-password");
      assertThat(decode(upgraded, "jvb-password")).isEqualTo("kept-jvb-password");
      assertThat(decode(upgraded, "turn-secret")).isEqualTo("kept-turn-secret");
    } finally {
      api.removeSecret(RenderedChart.NAMESPACE, name);
    }
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)));
  }
}
