package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimulcastSourceTest {

  private static final long MS = 1_000_000L;

  private static SimulcastSource.Layers layers(int[] heights, boolean... active) {
    return new SimulcastSource.Layers(heights, active, new long[heights.length]);
  }

  @Test
  void choosesTheHighestLayerBeingSentThatFitsTheHeight() {
    SimulcastSource.Layers all = layers(new int[] {180, 360, 720}, true, true, true);
    assertThat(all.choose(0)).isEqualTo(-1);
    assertThat(all.choose(180)).isZero();
    assertThat(all.choose(359)).isZero();
    assertThat(all.choose(360)).isEqualTo(1);
    assertThat(all.choose(720)).isEqualTo(2);
    assertThat(all.choose(-1)).isEqualTo(2);
    // smaller than every layer: the lowest, not nothing
    assertThat(all.choose(90)).isZero();
  }

  @Test
  void skipsLayersTheSenderSwitchedOffAndFallsBackByHeightWhenNoneIsSent() {
    assertThat(layers(new int[] {180, 360, 720}, true, true, false).choose(720)).isEqualTo(1);
    assertThat(layers(new int[] {180, 360, 720}, false, true, true).choose(180)).isEqualTo(1);
    assertThat(layers(new int[] {180, 360, 720}, false, false, false).choose(360)).isEqualTo(1);
    // heights learned from keyframes, not the signalled order, decide (a 360p camera: 180, 360)
    assertThat(layers(new int[] {180, 360, 360}, true, true, false).choose(720)).isEqualTo(1);
  }

  @Test
  void learnsActivityAndHeightsFromPacketsAndForgetsSilentLayers() {
    SimulcastSource source = new SimulcastSource("a-v0", null, new long[] {1, 2, 3});
    assertThat(source.snapshot().heights()).containsExactly(180, 360, 720);
    assertThat(source.snapshot().active()).containsExactly(false, false, false);
    byte[] key = Vp8Packets.packet(2, 1, 1, 1, 1, 0, true, true, 480, 270, 100);
    assertThat(source.packetArrived(1, key.length, Vp8Payload.parse(key, 0, key.length), 0))
        .as("a layer starts")
        .isTrue();
    assertThat(source.packetArrived(1, 100, null, 10 * MS)).as("nothing new").isFalse();
    assertThat(source.snapshot().heights()).containsExactly(180, 270, 720);
    assertThat(source.snapshot().active()).containsExactly(false, true, false);
    assertThat(source.refresh(500 * MS)).isFalse();
    assertThat(source.refresh(1100 * MS)).as("quiet for over a second").isTrue();
    assertThat(source.snapshot().active()).containsExactly(false, false, false);
    assertThat(source.layerOf(3)).isEqualTo(2);
    assertThat(source.layerOf(4)).isEqualTo(-1);
  }

  @Test
  void measuresEachLayersBitrateOverASecond() {
    SimulcastSource source = new SimulcastSource("a-v0", null, new long[] {1, 2});
    for (int i = 0; i <= 20; i++) {
      source.packetArrived(0, 1250, null, i * 50 * MS); // 25 kB/s = 200 kbit/s
    }
    assertThat(source.snapshot().bitrates()[0]).isBetween(190_000L, 210_000L);
    assertThat(source.snapshot().bitrates()[1]).isZero();
  }
}
