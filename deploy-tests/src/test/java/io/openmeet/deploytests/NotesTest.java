package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** NOTES.txt tells the operator how to reach the meeting. */
class NotesTest {
  @Test
  void withAnIngressTheNotesGiveTheHttpsUrlAndTheTestCommand() {
    String notes = RenderedChart.notes(null);

    assertThat(notes)
        .contains("https://meet.example.com/")
        .contains("helm test openmeet -n meet")
        .contains("UDP 10000 via hostNetwork")
        .contains("turn:turn.meet.example.com:3478")
        .contains("in-cluster PostgreSQL and Redis are for evaluation");
  }

  @Test
  void withoutAnIngressTheNotesExplainThePortForward() {
    String notes = RenderedChart.notes(Repo.chart().resolve("ci/minimal-values.yaml"));

    assertThat(notes)
        .contains("kubectl -n meet port-forward svc/openmeet-room-api 8080:80")
        .contains("http://127.0.0.1:8080/")
        .doesNotContain("https://meet.test/");
  }

  @Test
  void withManagedDatabasesThereIsNoEvaluationWarning() {
    String notes = RenderedChart.notes(Repo.chart().resolve("ci/production-values.yaml"));

    assertThat(notes).doesNotContain("WARNING").contains("3-8 (scaled on jitsi_stress_level)");
  }
}
