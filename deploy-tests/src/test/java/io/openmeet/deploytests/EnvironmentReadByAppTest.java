package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every environment variable the chart gives room-api is read by room-api: a variable nothing reads
 * is a setting the operator believes in and the app ignores (REDIS_PASSWORD and REDIS_CLUSTER_MODE
 * were such once).
 */
class EnvironmentReadByAppTest {
  private static final AppEnvironment APP = AppEnvironment.of(Repo.root());

  @ParameterizedTest
  @MethodSource("io.openmeet.deploytests.ChartScenariosTest#scenarios")
  void everyVariableTheChartGivesRoomApiIsReadByIt(Path values) {
    RenderedChart chart = RenderedChart.render(values);
    Deployment api = chart.get(Deployment.class, RenderedChart.name("room-api"));
    Container c = api.getSpec().getTemplate().getSpec().getContainers().get(0);
    Set<String> names = new TreeSet<>();
    for (EnvFromSource from : c.getEnvFrom()) {
      names.addAll(chart.get(ConfigMap.class, from.getConfigMapRef().getName()).getData().keySet());
    }
    c.getEnv().forEach(e -> names.add(e.getName()));
    assertThat(names).as("variables of room-api in " + values).hasSizeGreaterThan(15);

    Set<String> unread = new TreeSet<>();
    for (String name : names) {
      if (!APP.reads(name)) {
        unread.add(name);
      }
    }
    assertThat(unread)
        .as("set by the chart (" + values.getFileName() + "), read by nothing")
        .isEmpty();
  }

  @Test
  void theCheckKnowsHowRoomApiReadsItsSettings() {
    // ${NAME} in application.properties
    assertThat(APP.reads("DB_URL")).isTrue();
    assertThat(APP.reads("TURN_SECRET")).isTrue();
    // a property's environment form: application.properties keys and @ConfigMapping properties
    assertThat(APP.reads("QUARKUS_HTTP_HOST")).isTrue();
    assertThat(APP.reads("OPENMEET_ROOMS_DEFAULT_REGION")).isTrue();
    assertThat(APP.reads("OPENMEET_FOCUS_SELECTION_REDIS_PREFIX")).isTrue();
    assertThat(APP.reads("OPENMEET_REGIONS_PEERS")).isTrue();
    assertThat(APP.reads("OPENMEET_TURN_CREDENTIAL_TTL")).isTrue();
  }

  @Test
  void theCheckFindsTheVariablesTheChartOnceSetForNothing() {
    assertThat(APP.reads("REDIS_CLUSTER_MODE")).isFalse();
    assertThat(APP.reads("OPENMEET_REGION")).isFalse();
    assertThat(APP.reads("NODE_NAME")).isFalse();
    assertThat(APP.reads("XMPP_DOMAIN")).isFalse();
  }
}
