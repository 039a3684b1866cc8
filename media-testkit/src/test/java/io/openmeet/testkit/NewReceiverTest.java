package io.openmeet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A receiver that becomes able to take video of a source gets a keyframe without asking: the bridge
 * sends a PLI to the sender, so the receiver does not wait for the encoder's next keyframe.
 */
class NewReceiverTest {

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
  void aNewReceiverCausesAPliToEachVideoSender() throws Exception {
    SyntheticEndpoint a = bridge.join("a");
    SyntheticEndpoint b = bridge.join("b");
    // b's arrival already asked a for a keyframe; c is the newcomer under test
    BridgeHarness.await(() -> pliCount(a, a.videoSsrc()) == 1, WAIT, "the PLI b's arrival caused");
    a.sendVideo(500, true);
    b.sendVideo(500, true);
    Thread.sleep(300); // past the bridge's minimum interval between its own requests

    SyntheticEndpoint c = bridge.join("c");

    BridgeHarness.await(
        () -> pliCount(a, a.videoSsrc()) == 2 && pliCount(b, b.videoSsrc()) == 1,
        WAIT,
        "a PLI at a and at b for c");
    long feedbackVideo = bridge.conference.feedbackSources().get(1).ssrcs().get(0);
    assertThat(a.receivedRtcp())
        .filteredOn(r -> r.packetType() == 206 && r.fmt() == 1)
        .allMatch(r -> r.senderSsrc() == feedbackVideo);
    // the newcomer asked for nothing, and nobody is asked for the newcomer's video or for RTX
    assertThat(c.receivedRtcp()).noneMatch(r -> r.packetType() == 206 && r.fmt() == 1);
    assertThat(pliCount(a, a.rtxSsrc()) + pliCount(b, b.rtxSsrc())).isZero();
    assertThat(pliCount(a, a.audioSsrc()) + pliCount(b, b.audioSsrc())).isZero();
  }

  @Test
  void theFirstReceiverInTheRoomAsksTheEndpointThatWasAloneForAKeyframe() throws Exception {
    SyntheticEndpoint a = bridge.join("a");
    for (int i = 0; i < 5; i++) {
      a.sendVideo(500, i == 0);
    }
    Thread.sleep(300);
    assertThat(pliCount(a, a.videoSsrc())).isZero();

    bridge.join("b");

    BridgeHarness.await(() -> pliCount(a, a.videoSsrc()) == 1, WAIT, "a PLI at a");
  }

  @Test
  void aSourceThatStartsBeingForwardedAsksItsSenderForAKeyframe() throws Exception {
    SyntheticEndpoint a = bridge.join("a");
    SyntheticEndpoint b = bridge.join("b");
    BridgeHarness.await(() -> pliCount(a, a.videoSsrc()) == 1, WAIT, "the PLI b's arrival caused");
    Thread.sleep(300);

    bridge.transports.get("b").setForwardedVideoSources(Set.of());
    Thread.sleep(100);
    assertThat(pliCount(a, a.videoSsrc())).isEqualTo(1);
    bridge.transports.get("b").setForwardedVideoSources(Set.of("a-v0"));

    BridgeHarness.await(() -> pliCount(a, a.videoSsrc()) == 2, WAIT, "a second PLI at a");
    // a set that stays the same asks for nothing more
    Thread.sleep(300);
    bridge.transports.get("b").setForwardedVideoSources(Set.of("a-v0"));
    Thread.sleep(150);
    assertThat(pliCount(a, a.videoSsrc())).isEqualTo(2);
  }

  @Test
  void theBridgeDoesNotRepeatItsOwnRequestWithinTheMinimumInterval() throws Exception {
    SyntheticEndpoint a = bridge.join("a");
    bridge.join("b");
    BridgeHarness.await(() -> pliCount(a, a.videoSsrc()) == 1, WAIT, "the PLI b's arrival caused");
    Thread.sleep(300);

    // the source leaves and rejoins b's set twice in a row: one keyframe request, not two
    bridge.transports.get("b").setForwardedVideoSources(Set.of());
    bridge.transports.get("b").setForwardedVideoSources(Set.of("a-v0"));
    bridge.transports.get("b").setForwardedVideoSources(Set.of());
    bridge.transports.get("b").setForwardedVideoSources(Set.of("a-v0"));

    BridgeHarness.await(() -> pliCount(a, a.videoSsrc()) == 2, WAIT, "a second PLI at a");
    Thread.sleep(150);
    assertThat(pliCount(a, a.videoSsrc())).isEqualTo(2);
  }

  private static long pliCount(SyntheticEndpoint e, long mediaSsrc) {
    return e.receivedRtcp().stream()
        .filter(r -> r.packetType() == 206 && r.fmt() == 1 && r.mediaSsrc() == mediaSsrc)
        .count();
  }
}
