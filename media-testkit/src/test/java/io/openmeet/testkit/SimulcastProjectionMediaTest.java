package io.openmeet.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.openmeet.testkit.SyntheticEndpoint.ReceivedRtp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * lite-bridge's simulcast projection with real packets: a synthetic sender sends three VP8 layers
 * (SIM group, 180/360/720) through the real media engine; a receiver gets, on the source's primary
 * SSRC, only the layer its allowed height fits, switches layers only at a keyframe of the new one,
 * and sees one stream whose sequence numbers, timestamps, PictureIDs and TL0PICIDX continue across
 * the switches.
 */
class SimulcastProjectionMediaTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private BridgeHarness bridge;

  @BeforeEach
  void start() {
    bridge = new BridgeHarness();
  }

  @AfterEach
  void stop() {
    bridge.close();
  }

  @Test
  void aReceiverGetsTheLayerItsHeightAllowsAndOneContinuousStreamAcrossSwitches() throws Exception {
    SyntheticEndpoint a =
        bridge.join(
            "a",
            SyntheticEndpoint.Options.loopback().withSimulcast(3),
            SyntheticEndpoint.mediaFormats());
    SyntheticEndpoint b = bridge.join("b");
    long primary = a.videoSsrc();
    long[] layers = a.layerSsrcs();
    // b shows a in a thumbnail: 180p allowed
    bridge.transports.get("b").setForwardedVideo(Map.of("a-v0", 180));
    SimulcastSender camera = new SimulcastSender(a);

    tickUntil(camera, () -> countLayer(b, primary, 0) >= 40, "the low layer at b");
    assertThat(layersAt(b, primary)).containsOnly(0);

    // b enlarges the tile: 720p allowed, the bridge asks layer 2 for a keyframe and switches there
    long askedBefore = a.keyframeRequests(layers[2]);
    bridge.transports.get("b").setForwardedVideo(Map.of("a-v0", 720));
    tickUntil(camera, () -> countLayer(b, primary, 2) >= 40, "the high layer at b");
    assertThat(a.keyframeRequests(layers[2])).isGreaterThan(askedBefore);

    // and back to a thumbnail: the low layer again
    bridge.transports.get("b").setForwardedVideo(Map.of("a-v0", 180));
    tickUntil(camera, () -> lastLayer(b, primary) == 0 && countAfterLast2(b, primary) >= 40, "low");

    List<ReceivedRtp> got = b.receivedRtp(primary);
    // every layer arrives on the primary SSRC only, never on its own
    assertThat(b.receivedCount(layers[1]) + b.receivedCount(layers[2])).isZero();
    assertThat(layerRuns(got)).containsExactly(0, 2, 0);
    assertContinuous(got);
  }

  @Test
  void aLayerTheSenderStopsIsReplacedByTheHighestOneStillSent() throws Exception {
    SyntheticEndpoint a =
        bridge.join(
            "a",
            SyntheticEndpoint.Options.loopback().withSimulcast(3),
            SyntheticEndpoint.mediaFormats());
    SyntheticEndpoint b = bridge.join("b");
    long primary = a.videoSsrc();
    bridge.transports.get("b").setForwardedVideo(Map.of("a-v0", 720));
    SimulcastSender camera = new SimulcastSender(a);
    tickUntil(camera, () -> countLayer(b, primary, 2) >= 20, "the high layer at b");

    // the web app switches 720p off (nobody else wants it, say): b falls back to 360p, not to 0
    camera.setActive(2, false);
    tickUntil(camera, () -> lastLayer(b, primary) == 1, "the middle layer at b");
    List<ReceivedRtp> got = b.receivedRtp(primary);
    // at the start b takes each layer as it first shows up (the first frame comes soonest)
    List<Integer> runs = layerRuns(got);
    assertThat(runs.subList(runs.size() - 2, runs.size())).containsExactly(2, 1);
    assertContinuous(got);
  }

  /** Sends a frame of every active layer every 50 ms until the condition holds. */
  private static void tickUntil(SimulcastSender camera, BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      camera.tick();
      Thread.sleep(50);
    }
  }

  private static List<Integer> layersAt(SyntheticEndpoint receiver, long ssrc) {
    return receiver.receivedRtp(ssrc).stream()
        .map(r -> SimulcastSender.layerOf(r.payload()))
        .toList();
  }

  private static long countLayer(SyntheticEndpoint receiver, long ssrc, int layer) {
    return layersAt(receiver, ssrc).stream().filter(l -> l == layer).count();
  }

  private static int lastLayer(SyntheticEndpoint receiver, long ssrc) {
    List<Integer> layers = layersAt(receiver, ssrc);
    return layers.isEmpty() ? -1 : layers.get(layers.size() - 1);
  }

  /** Packets received after the last one of layer 2. */
  private static long countAfterLast2(SyntheticEndpoint receiver, long ssrc) {
    List<Integer> layers = layersAt(receiver, ssrc);
    return layers.size() - 1 - layers.lastIndexOf(2);
  }

  /** The layers in arrival order with repeats collapsed (0, 0, 2, 2, 0 gives 0, 2, 0). */
  private static List<Integer> layerRuns(List<ReceivedRtp> packets) {
    List<Integer> runs = new java.util.ArrayList<>();
    for (ReceivedRtp r : packets) {
      int layer = SimulcastSender.layerOf(r.payload());
      if (runs.isEmpty() || runs.get(runs.size() - 1) != layer) {
        runs.add(layer);
      }
    }
    return runs;
  }

  /**
   * One stream as a decoder needs it: sequence numbers without a gap, each layer's run starting
   * with a keyframe, timestamps growing by a frame's worth within a layer and by the time that
   * passed at a switch, PictureID and TL0PICIDX one up per frame, also across switches.
   */
  private static void assertContinuous(List<ReceivedRtp> packets) {
    ReceivedRtp previous = null;
    for (ReceivedRtp r : packets) {
      byte[] vp8 = r.payload();
      if (previous == null) {
        assertThat(SimulcastSender.isKeyframeStart(vp8)).as("the first packet").isTrue();
        previous = r;
        continue;
      }
      String at = "packet seq " + r.seq() + " after " + previous.seq();
      assertThat(r.seq()).as(at).isEqualTo((previous.seq() + 1) & 0xFFFF);
      int layer = SimulcastSender.layerOf(vp8);
      byte[] before = previous.payload();
      if (layer != SimulcastSender.layerOf(before)) {
        assertThat(SimulcastSender.isKeyframeStart(vp8)).as(at + ": a switch").isTrue();
      }
      boolean newFrame =
          SimulcastSender.frameOf(vp8) != SimulcastSender.frameOf(before)
              || layer != SimulcastSender.layerOf(before);
      long step = (r.timestamp() - previous.timestamp()) & 0xFFFFFFFFL;
      if (layer != SimulcastSender.layerOf(before)) {
        // across a switch the timestamp moves on by the time that passed (90 kHz clock)
        long elapsedMs = (r.receivedNanos() - previous.receivedNanos()) / 1_000_000;
        assertThat(step).as(at + ": timestamp step at a switch").isPositive();
        assertThat(step / 90).as(at + ": timestamp step in ms").isCloseTo(elapsedMs, within(200L));
      } else if (newFrame) {
        assertThat(step).as(at + ": timestamp step").isEqualTo(SimulcastSender.FRAME_TICKS);
      }
      if (newFrame) {
        assertThat(SimulcastSender.pictureIdOf(vp8))
            .as(at + ": PictureID")
            .isEqualTo((SimulcastSender.pictureIdOf(before) + 1) & 0x7FFF);
        assertThat(SimulcastSender.tl0Of(vp8))
            .as(at + ": TL0PICIDX")
            .isEqualTo((SimulcastSender.tl0Of(before) + 1) & 0xFF);
      } else {
        assertThat(step).as(at + ": same frame, same timestamp").isZero();
        assertThat(SimulcastSender.pictureIdOf(vp8)).isEqualTo(SimulcastSender.pictureIdOf(before));
      }
      previous = r;
    }
  }
}
