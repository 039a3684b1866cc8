package io.openmeet.roomapi.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Region labels come only from the configured regions. */
class SignallingMetricsTest {

  @Test
  void a_room_region_that_is_not_configured_is_counted_as_other() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SignallingMetrics metrics = new SignallingMetrics(registry, null, Set.of("eu", "us"));
    metrics.joined("eu", 1);
    metrics.joined("us", 1);
    // Anyone may create a room with any region name matching the pattern.
    for (int i = 0; i < 50; i++) {
      metrics.joined("zz-attacker-" + i, 1);
    }
    metrics.left("zz-attacker-0");
    Set<String> labels = new TreeSet<>();
    for (Gauge g : registry.find("room_participant_count").gauges()) {
      labels.add(g.getId().getTag("region"));
    }
    assertThat(labels).containsExactly("eu", "other", "us");
    assertThat(registry.get("room_participant_count").tag("region", "other").gauge().value())
        .isEqualTo(49);
    assertThat(registry.get("room_participant_count").tag("region", "eu").gauge().value())
        .isEqualTo(1);
  }
}
