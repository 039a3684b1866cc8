package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When probe clusters go out for one receiver, driven every 20 ms as the bridge's timer does. */
class ProbeScheduleTest {

  private static final long MS = 1_000_000L;
  private static final long IDEAL = 1_600_000;
  private static final long ESTIMATE = 1_000_000;
  private static final long ALLOCATED = 900_000;

  private final ProbeSchedule schedule = new ProbeSchedule();
  private final BandwidthEstimator bwe = new BandwidthEstimator();
  private final List<Long> clusterStarts = new ArrayList<>(); // ms
  private long now = 10_000 * MS;
  private long lastTarget;

  /** Runs {@code millis} in 20 ms ticks with the receiver limited or not; notes cluster starts. */
  private void run(long millis, boolean limited) {
    run(millis, limited, Long.MIN_VALUE);
  }

  /** The same with a {@link LayerHold} that started at {@code holdSinceNanos}. */
  private void run(long millis, boolean limited, long holdSinceNanos) {
    for (long t = 0; t < millis; t += 20) {
      long before = schedule.clusters();
      lastTarget =
          schedule.target(now, limited, holdSinceNanos, IDEAL, ESTIMATE, ALLOCATED, true, bwe);
      if (schedule.clusters() > before) {
        clusterStarts.add(now / MS);
      }
      now += 20 * MS;
    }
  }

  @Test
  void aLimitGetsAClusterAfterHalfASecondThenAtDoublingGaps() {
    long start = now / MS;
    run(200, true);
    assertThat(clusterStarts).isEmpty();
    // padding up to the estimate meanwhile
    assertThat(lastTarget).isEqualTo(ESTIMATE);
    run(18_000, true);
    assertThat(clusterStarts.get(0) - start).isBetween(500L, 520L);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < clusterStarts.size(); i++) {
      gaps.add(clusterStarts.get(i) - clusterStarts.get(i - 1));
    }
    // 100 ms of cluster plus 0.5, 1, 2, 4, 8, 8 s
    assertThat(gaps).hasSize(5);
    assertThat(gaps.get(0)).isBetween(600L, 640L);
    assertThat(gaps.get(1)).isBetween(1_100L, 1_140L);
    assertThat(gaps.get(4)).isBetween(8_100L, 8_140L);
  }

  @Test
  void aClusterPadsToWhatTheIdealLayersNeedAtMostTwiceTheEstimateForItsFullLength() {
    run(520, true);
    assertThat(bwe.probing()).isTrue();
    // 1.6 Mbit/s / 0.9 * 1.05 = 1.87 Mbit/s, under 2 x 1 Mbit/s
    assertThat(lastTarget).isEqualTo((long) (IDEAL / 0.9 * 1.05));
    // the limit ends during the cluster: it still runs its 100 ms
    run(60, false);
    assertThat(bwe.probing()).isTrue();
    assertThat(lastTarget).isEqualTo((long) (IDEAL / 0.9 * 1.05));
    run(40, false);
    assertThat(bwe.probing()).isFalse();
    assertThat(lastTarget).isZero();
  }

  @Test
  void aLimitThatComesAndGoesDoesNotResetTheGaps() {
    run(20_000, true); // gaps grown to 8 s
    int before = clusterStarts.size();
    // an estimate wobbling around what the layers need: limited 1 s, not limited 1 s, ...
    for (int i = 0; i < 8; i++) {
      run(1_000, false);
      run(1_000, true);
    }
    // 16 s: at most two clusters 8 s apart, not one per limited second
    assertThat(clusterStarts.size() - before).isBetween(1, 2);
  }

  @Test
  void aLongUnlimitedStretchStartsTheGapsOver() {
    run(20_000, true);
    run(5_000, false);
    int before = clusterStarts.size();
    long start = now / MS;
    run(1_000, true);
    assertThat(clusterStarts.size() - before).isEqualTo(1);
    assertThat(clusterStarts.get(clusterStarts.size() - 1) - start).isBetween(500L, 520L);
  }

  @Test
  void aHoldGetsOneClusterAfter300MsWhateverTheGaps() {
    run(20_000, true); // gaps grown to 8 s
    run(1_000, false);
    int before = clusterStarts.size();
    long hold = now;
    run(1_500, true, hold);
    // the hold's cluster 300 ms in, not 0.5 s or 8 s after the limit started; one per hold
    assertThat(clusterStarts.size() - before).isEqualTo(1);
    assertThat(clusterStarts.get(clusterStarts.size() - 1) - hold / MS).isBetween(300L, 320L);
    run(1_000, true, Long.MIN_VALUE);
    long next = now;
    run(1_000, true, next);
    assertThat(clusterStarts.size() - before).isEqualTo(2);
    assertThat(clusterStarts.get(clusterStarts.size() - 1) - next / MS).isBetween(300L, 320L);
  }

  @Test
  void nothingWithoutAnEstimateOrAWayToPad() {
    assertThat(schedule.target(now, true, Long.MIN_VALUE, IDEAL, -1, ALLOCATED, true, bwe))
        .isZero();
    for (int i = 0; i < 100; i++) {
      assertThat(schedule.target(now, true, Long.MIN_VALUE, IDEAL, ESTIMATE, ALLOCATED, false, bwe))
          .isZero();
      now += 20 * MS;
    }
    assertThat(schedule.clusters()).isZero();
  }
}
