package io.openmeet.litebridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.media.MediaStats;
import io.openmeet.litebridge.stats.StressLevel;
import org.junit.jupiter.api.Test;

class StressLevelTest {
  private static MediaStats rates(long down, long up) {
    return new MediaStats(down, up, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void packetRateOverThresholdIsTheStress() {
    StressLevel s = new StressLevel(50_000, () -> 0.1);
    assertThat(s.compute(rates(10_000, 15_000))).isEqualTo(0.5);
    assertThat(s.compute(rates(50_000, 50_000))).isEqualTo(2.0);
  }

  @Test
  void cpuLoadDominatesWhenHigher() {
    assertThat(new StressLevel(50_000, () -> 0.8).compute(rates(100, 100))).isEqualTo(0.8);
  }

  @Test
  void unknownCpuLoadCountsAsZero() {
    assertThat(new StressLevel(50_000, () -> -1).compute(rates(0, 0))).isZero();
    assertThat(new StressLevel(50_000, () -> Double.NaN).compute(rates(0, 0))).isZero();
  }
}
