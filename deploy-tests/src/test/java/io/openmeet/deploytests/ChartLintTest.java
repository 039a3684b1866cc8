package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

class ChartLintTest {
  @Test
  void theChartPassesHelmLintStrictly() {
    LintResult result = new Helm(Repo.chart()).lint().strict().call();

    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void theChartsDefaultsRenderToValidObjects() {
    RenderedChart chart = RenderedChart.render(null);

    assertThat(RenderedChart.kinds(chart.objects))
        .contains(
            "Deployment",
            "StatefulSet",
            "Service",
            "Ingress",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "NetworkPolicy",
            "ConfigMap",
            "Secret");
  }
}
