package io.openmeet.roomapi.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.openmeet.presence.bridge.BridgeSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BridgeGaugesTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<BridgeSnapshot> known = new ArrayList<>();
  private final BridgeGauges gauges = new BridgeGauges(registry, () -> List.copyOf(known));

  private static BridgeSnapshot bridge(String id, String region, double stress, boolean healthy) {
    return bridge(id, region, stress, healthy, -1);
  }

  private static BridgeSnapshot bridge(
      String id, String region, double stress, boolean healthy, int participants) {
    return new BridgeSnapshot(
        id,
        "brewery@x/" + id,
        region,
        "",
        "1",
        stress,
        healthy,
        false,
        false,
        false,
        Instant.now(),
        participants);
  }

  private double gauge(String name, String bridge, String region) {
    return registry.get(name).tag("bridge", bridge).tag("region", region).gauge().value();
  }

  @Test
  void a_new_bridge_gets_its_gauges_and_they_follow_its_stats() {
    known.add(bridge("jvb-1", "eu", 0.25, true, 3));
    gauges.refresh();

    assertThat(gauge(BridgeGauges.STRESS, "jvb-1", "eu")).isEqualTo(0.25);
    assertThat(gauge(BridgeGauges.PARTICIPANTS, "jvb-1", "eu")).isEqualTo(3);
    assertThat(gauge(BridgeGauges.HEALTHY, "jvb-1", "eu")).isEqualTo(1);

    known.set(0, bridge("jvb-1", "eu", 0.9, false, 5));
    gauges.refresh();
    assertThat(gauge(BridgeGauges.STRESS, "jvb-1", "eu")).isEqualTo(0.9);
    assertThat(gauge(BridgeGauges.PARTICIPANTS, "jvb-1", "eu")).isEqualTo(5);
    assertThat(gauge(BridgeGauges.HEALTHY, "jvb-1", "eu")).isZero();
  }

  @Test
  void participants_read_minus_one_until_the_bridge_reports_them() {
    known.add(bridge("jvb-1", "eu", 0, true));
    gauges.refresh();
    assertThat(gauge(BridgeGauges.PARTICIPANTS, "jvb-1", "eu")).isEqualTo(-1);
  }

  @Test
  void a_bridge_that_leaves_loses_its_series() {
    known.add(bridge("jvb-1", "eu", 0.1, true));
    known.add(bridge("jvb-2", "us", 0.2, true));
    gauges.refresh();
    assertThat(registry.find(BridgeGauges.STRESS).gauges()).hasSize(2);

    known.remove(0);
    gauges.refresh();
    assertThat(gauges.bridgeIds()).containsExactly("jvb-2");
    assertThat(registry.find(BridgeGauges.STRESS).tag("bridge", "jvb-1").gauge()).isNull();
    assertThat(registry.find(BridgeGauges.PARTICIPANTS).tag("bridge", "jvb-1").gauge()).isNull();
    assertThat(registry.find(BridgeGauges.HEALTHY).tag("bridge", "jvb-1").gauge()).isNull();
    assertThat(registry.find(BridgeGauges.STRESS).gauges()).hasSize(1);
  }

  @Test
  void a_bridge_that_changes_region_moves_its_series() {
    known.add(bridge("jvb-1", "eu", 0.1, true));
    gauges.refresh();
    known.set(0, bridge("jvb-1", "us", 0.1, true));
    gauges.refresh();
    assertThat(registry.find(BridgeGauges.STRESS).tag("region", "eu").gauge()).isNull();
    assertThat(gauge(BridgeGauges.STRESS, "jvb-1", "us")).isEqualTo(0.1);
  }

  @Test
  void refreshing_without_changes_registers_nothing_new() {
    known.add(bridge("jvb-1", "eu", 0.1, true));
    gauges.refresh();
    int meters = registry.getMeters().size();
    gauges.refresh();
    gauges.refresh();
    assertThat(registry.getMeters()).hasSize(meters);
  }
}
