package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
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
  void secretsComeFromValuesAndEveryRenderIsTheSame() throws Exception {
    Path values = tmp.resolve("secrets.yaml");
    Files.writeString(
        values,
        """
        secrets:
          existingSecret: ""
          focusPassword: focus-pw
          jvbPassword: jvb-pw
          turnSecret: turn-pw
          postgresPassword: pg-pw
        """);

    RenderedChart first = RenderedChart.render(values);
    RenderedChart second = RenderedChart.render(values);

    // GitOps tools render on every sync: nothing random, so no pod rolls and no bridge drains
    assertThat(second.yaml).isEqualTo(first.yaml);
    Secret secret = first.get(Secret.class, RenderedChart.name("secrets"));
    assertThat(decode(secret, "focus-password")).isEqualTo("focus-pw");
    assertThat(decode(secret, "jvb-password")).isEqualTo("jvb-pw");
    assertThat(decode(secret, "turn-secret")).isEqualTo("turn-pw");
    assertThat(decode(secret, "postgres-password")).isEqualTo("pg-pw");
    assertThat(Files.readString(Repo.chart().resolve("templates/secrets.yaml")))
        .doesNotContain("rand")
        .doesNotContain("lookup");
  }

  @Test
  void withAnExistingSecretTheChartCreatesNoneAndEveryPodReadsThatOne() {
    RenderedChart chart = RenderedChart.render(null);

    assertThat(chart.all(Secret.class)).isEmpty();
    assertThat(chart.yaml).contains("name: openmeet-secrets");
  }

  @Test
  void missingSecretValuesAreNamed() throws Exception {
    Path values = tmp.resolve("no-secrets.yaml");
    Files.writeString(values, "secrets:\n  existingSecret: \"\"\n  focusPassword: only-this\n");

    assertThatThrownBy(() -> RenderedChart.render(values))
        .hasMessageContaining(
            "secrets.jvbPassword, secrets.turnSecret, secrets.postgresPassword are empty");
  }

  @Test
  void aBridgeThatCouldOnlyOfferItsPodAddressIsRefused() throws Exception {
    Path values = tmp.resolve("hostport.yaml");
    Files.writeString(values, "jvb:\n  networking:\n    mode: hostPort\n");

    assertThatThrownBy(() -> RenderedChart.render(values))
        .hasMessageContaining("would offer only the pod's private address")
        .hasMessageContaining("awsMetadataMapping");
  }

  @Test
  void multiRegionNeedsARegionalHostAndAnEntryForThisRegion() throws Exception {
    Path values = tmp.resolve("regions.yaml");
    Files.writeString(
        values,
        "global:\n  region: eu-west-1\n  regions:\n    us-east-1: https://us.meet.example.com/x\n");

    assertThatThrownBy(() -> RenderedChart.render(values))
        .hasMessageContaining("global.regionalDomain is empty")
        .hasMessageContaining("no entry for this region (global.region=eu-west-1)")
        .hasMessageContaining("global.regions.us-east-1");
  }

  @Test
  void redisClusterIsGoneAndSentinelNeedsItsMaster() throws Exception {
    Path cluster = tmp.resolve("cluster.yaml");
    Files.writeString(
        cluster,
        "redis:\n  enabled: false\nexternalRedis:\n  url: rediss://x:6379\n  clusterMode: true\n");
    Path sentinel = tmp.resolve("sentinel.yaml");
    Files.writeString(
        sentinel,
        "redis:\n  enabled: false\nexternalRedis:\n  mode: sentinel\n  sentinel:\n"
            + "    addresses: [\"sentinel.example:26379\"]\n");

    assertThatThrownBy(() -> RenderedChart.render(cluster)).hasMessageContaining("clusterMode");
    assertThatThrownBy(() -> RenderedChart.render(sentinel))
        .hasMessageContaining("externalRedis.mode=sentinel needs externalRedis.sentinel.masterName")
        .hasMessageContaining("must be redis://host:port or rediss://host:port");
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)));
  }
}
