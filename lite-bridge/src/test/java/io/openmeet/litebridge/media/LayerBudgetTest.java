package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Layer choice within a receiver's bandwidth estimate (pure). */
class LayerBudgetTest {

  /** Three layers sent at 180/360/720 with the given rates. */
  private static SimulcastSource.Layers three(long low, long mid, long high) {
    return new SimulcastSource.Layers(
        new int[] {180, 360, 720}, new boolean[] {true, true, true}, new long[] {low, mid, high});
  }

  private static final SimulcastSource.Layers CAMERA = three(150_000, 450_000, 1_200_000);

  @Test
  void withoutAnEstimateEverySourceGetsItsIdealLayer() {
    LayerBudget.Result r =
        LayerBudget.allocate(List.of(CAMERA, CAMERA), new int[] {2, 0}, new int[] {-1, -1}, -1);
    assertThat(r.layers()).containsExactly(2, 0);
    assertThat(r.limited()).isFalse();
    assertThat(r.idealBps()).isEqualTo(1_350_000);
  }

  @Test
  void enoughBandwidthGivesTheIdealLayers() {
    LayerBudget.Result r =
        LayerBudget.allocate(
            List.of(CAMERA, CAMERA), new int[] {2, 0}, new int[] {-1, -1}, 3_000_000);
    assertThat(r.layers()).containsExactly(2, 0);
    assertThat(r.limited()).isFalse();
  }

  @Test
  void theStageIsServedFirstThenTheThumbnailsGetTheirLowLayer() {
    // 900 kbit/s: all three at 180 first (450k), then the stage as high as the rest allows (360:
    // 300k more plus the 90k margin fits; 720 does not)
    LayerBudget.Result r =
        LayerBudget.allocate(
            List.of(CAMERA, CAMERA, CAMERA), new int[] {2, 0, 0}, new int[] {-1, -1, -1}, 900_000);
    assertThat(r.layers()).containsExactly(1, 0, 0);
    assertThat(r.allocatedBps()).isEqualTo(750_000);
    assertThat(r.limited()).isTrue();
    assertThat(r.idealBps()).isEqualTo(1_500_000);
  }

  @Test
  void sourcesLowInTheRankingAreSuspendedBeforeTheStageGoesDark() {
    LayerBudget.Result r =
        LayerBudget.allocate(
            List.of(CAMERA, CAMERA, CAMERA), new int[] {2, 0, 0}, new int[] {-1, -1, -1}, 100_000);
    assertThat(r.layers()).containsExactly(0, -1, -1);
  }

  @Test
  void movingUpNeedsHeadroomKeepingALayerDoesNot() {
    // the high layer fits exactly: a receiver already on it keeps it, one below does not move up
    long estimate = 1_200_000;
    assertThat(
            LayerBudget.allocate(List.of(CAMERA), new int[] {2}, new int[] {2}, estimate).layers())
        .containsExactly(2);
    assertThat(
            LayerBudget.allocate(List.of(CAMERA), new int[] {2}, new int[] {1}, estimate).layers())
        .containsExactly(1);
  }

  @Test
  void onlyLayersBeingSentAndNotAboveTheConstraintAreChosen() {
    SimulcastSource.Layers noMiddle =
        new SimulcastSource.Layers(
            new int[] {180, 360, 720},
            new boolean[] {true, false, true},
            new long[] {150_000, 0, 1_200_000});
    LayerBudget.Result r =
        LayerBudget.allocate(List.of(noMiddle), new int[] {2}, new int[] {-1}, 1_000_000);
    assertThat(r.layers()).containsExactly(0);
    // a constraint of 360 (ideal layer 1) never yields layer 2
    r = LayerBudget.allocate(List.of(CAMERA), new int[] {1}, new int[] {-1}, 10_000_000);
    assertThat(r.layers()).containsExactly(1);
  }

  @Test
  void unmeasuredLayersCostANominalRateForTheirHeight() {
    SimulcastSource.Layers fresh =
        new SimulcastSource.Layers(
            new int[] {180, 360, 720}, new boolean[] {false, false, false}, new long[3]);
    assertThat(LayerBudget.cost(fresh, 0)).isEqualTo(200_000);
    assertThat(LayerBudget.cost(fresh, 2)).isEqualTo(1_500_000);
    LayerBudget.Result r =
        LayerBudget.allocate(List.of(fresh), new int[] {2}, new int[] {-1}, 800_000);
    assertThat(r.layers()).containsExactly(1);
  }
}
