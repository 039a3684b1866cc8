package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Layers kept through a short drop of the estimate (pure, time given). */
class LayerHoldTest {

  private static final long MS = 1_000_000L;

  /** Two cameras at 180/360/720 of 150/450/700 kbit/s: e2e 08's two staged cameras, 1.4 Mbit/s. */
  private static final SimulcastSource.Layers CAMERA =
      new SimulcastSource.Layers(
          new int[] {180, 360, 720},
          new boolean[] {true, true, true},
          new long[] {150_000, 450_000, 700_000});

  private static final List<SimulcastSource.Layers> TWO = List.of(CAMERA, CAMERA);
  private static final int[] TOP = {2, 2};

  private final LayerHold hold = new LayerHold();
  private long now = 10_000 * MS;

  private int[] allocate(int[] current, long estimate) {
    int[] layers = hold.allocate(now, TWO, TOP, current, estimate).layers();
    now += 250 * MS;
    return layers;
  }

  @Test
  void aShortDropKeepsTheLayersAndALongOneTakesThemDownAfterTheHold() {
    assertThat(allocate(new int[] {-1, -1}, 2_500_000)).containsExactly(2, 2);
    assertThat(allocate(TOP, 2_500_000)).containsExactly(2, 2);
    // a delay cut to 0.85 x what flowed: the budget alone would drop the second camera to 180p
    assertThat(LayerBudget.allocate(TWO, TOP, TOP, 1_190_000).layers()).containsExactly(2, 1);
    for (int k = 0; k < 5; k++) { // 1.25 s
      LayerBudget.Result r = hold.allocate(now, TWO, TOP, TOP, 1_190_000);
      assertThat(r.layers()).containsExactly(2, 2);
      assertThat(r.limited()).isTrue(); // so the bridge probes
      assertThat(hold.holding(now)).isTrue();
      now += 250 * MS;
    }
    // a probe undid the cut: nothing changed, and the next drop gets a hold of its own
    assertThat(allocate(TOP, 2_000_000)).containsExactly(2, 2);
    assertThat(hold.holding(now)).isFalse();
    long second = now;
    assertThat(allocate(TOP, 1_190_000)).containsExactly(2, 2);
    assertThat(hold.holds()).isEqualTo(2);
    assertThat(hold.holdSinceNanos()).isEqualTo(second);
    // it lasts: after 1.5 s the estimate decides
    while (now - second < LayerHold.HOLD_NANOS) {
      assertThat(allocate(TOP, 1_190_000)).containsExactly(2, 2);
    }
    assertThat(allocate(TOP, 1_190_000)).containsExactly(2, 1);
    assertThat(hold.holding(now)).isFalse();
  }

  @Test
  void aCollapsedPathIsFollowedAtOnce() {
    allocate(new int[] {-1, -1}, 2_500_000);
    // under half of what the layers cost (1.4 Mbit/s): e2e 14's 600 kbit/s
    assertThat(allocate(TOP, 500_000)).containsExactly(0, 0);
  }

  @Test
  void aReceiverThatAsksForLessGetsItWithoutAHold() {
    allocate(new int[] {-1, -1}, 2_500_000);
    // the second tile shrunk to a thumbnail (ideal 180p) while the estimate dips: no hold
    int[] ideal = {2, 0};
    assertThat(hold.allocate(now, TWO, ideal, TOP, 1_190_000).layers()).containsExactly(2, 0);
    assertThat(hold.holding(now)).isFalse();
  }

  @Test
  void aHoldNeverMovesALayerUpOrAddsASource() {
    allocate(new int[] {-1, -1}, 2_500_000);
    // one camera at 360p, the other at 720p; a third source appears during the hold
    List<SimulcastSource.Layers> three = List.of(CAMERA, CAMERA, CAMERA);
    LayerBudget.Result r =
        hold.allocate(now, three, new int[] {2, 2, 2}, new int[] {1, 2, -1}, 900_000);
    assertThat(r.layers()).containsExactly(1, 2, -1);
    assertThat(hold.holding(now)).isTrue();
  }

  @Test
  void noHoldBeforeTheFirstEstimateTheLayersFit() {
    // the first estimate comes in below the layers chosen by height alone: follow it
    assertThat(allocate(TOP, 1_190_000)).containsExactly(2, 1);
  }
}
