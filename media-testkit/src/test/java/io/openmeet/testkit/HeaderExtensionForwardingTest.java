package io.openmeet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.media.MediaFormats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a browser stamps on its packets for its own leg (MID, transport-wide sequence numbers) does
 * not reach the receivers; what they negotiated arrives under their own ids, and a receiver that
 * negotiated transport-cc gets the bridge's own transport-wide numbers for its leg.
 */
class HeaderExtensionForwardingTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  private static final String MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
  private static final String ABS_SEND_TIME =
      "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  private static final String TRANSPORT_CC =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

  private BridgeHarness bridge;

  @BeforeEach
  void start() {
    bridge = new BridgeHarness();
  }

  @AfterEach
  void stop() {
    bridge.close();
  }

  private static MediaFormats formats(Map<Integer, String> extensions) {
    MediaFormats base = SyntheticEndpoint.mediaFormats();
    return new MediaFormats(base.payloadTypes(), base.rtxPayloadTypes(), extensions);
  }

  @Test
  void forwardedPacketsCarryNoSenderMidAndKeepWhatTheReceiverNegotiated() throws Exception {
    // jicofo's ids at the sender; the receiver numbers abs-send-time differently
    SyntheticEndpoint a =
        bridge.join(
            "a",
            SyntheticEndpoint.Options.loopback(),
            formats(Map.of(1, AUDIO_LEVEL, 10, MID, 3, ABS_SEND_TIME, 5, TRANSPORT_CC)));
    SyntheticEndpoint b =
        bridge.join(
            "b",
            SyntheticEndpoint.Options.loopback(),
            formats(Map.of(1, AUDIO_LEVEL, 10, MID, 4, ABS_SEND_TIME, 5, TRANSPORT_CC)));

    byte[] absSendTime = {0x12, 0x34, 0x56};
    int withAll =
        a.sendVideo(
            700, true, Map.of(10, new byte[] {'1'}, 3, absSendTime, 5, new byte[] {0x00, 0x2A}));
    int onlyMid = a.sendVideo(700, false, Map.of(10, new byte[] {'1'}));
    BridgeHarness.await(() -> b.receivedCount(a.videoSsrc()) == 2, WAIT, "two packets at b");

    List<SyntheticEndpoint.ReceivedRtp> atB = b.receivedRtp(a.videoSsrc());
    SyntheticEndpoint.ReceivedRtp first =
        atB.stream().filter(r -> r.seq() == withAll).findFirst().orElseThrow();
    // 5 is b's transport-cc id: the bridge's own numbers on its leg to b, never a's (0x002A)
    assertThat(first.extensions()).containsOnlyKeys(4, 5);
    assertThat(first.extensions().get(4)).isEqualTo(absSendTime);
    assertThat(first.payload()).isEqualTo(a.sentPayload(a.videoSsrc(), withAll));
    SyntheticEndpoint.ReceivedRtp second =
        atB.stream().filter(r -> r.seq() == onlyMid).findFirst().orElseThrow();
    assertThat(second.extensions()).containsOnlyKeys(5);
    int firstNumber = u16(first.extensions().get(5));
    int secondNumber = u16(second.extensions().get(5));
    assertThat(secondNumber).isEqualTo((firstNumber + 1) & 0xFFFF);
    assertThat(firstNumber).isNotEqualTo(0x2A);
    assertThat(second.payload()).isEqualTo(a.sentPayload(a.videoSsrc(), onlyMid));
    assertThat(b.undecryptablePackets()).isZero();
  }

  private static int u16(byte[] b) {
    assertThat(b).hasSize(2);
    return ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
  }

  @Test
  void theAudioLevelIsRenumberedAndDroppedForAReceiverWithoutIt() throws Exception {
    SyntheticEndpoint a =
        bridge.join(
            "a", SyntheticEndpoint.Options.loopback(), formats(Map.of(1, AUDIO_LEVEL, 10, MID)));
    SyntheticEndpoint b =
        bridge.join(
            "b", SyntheticEndpoint.Options.loopback(), formats(Map.of(2, AUDIO_LEVEL, 10, MID)));
    SyntheticEndpoint c =
        bridge.join("c", SyntheticEndpoint.Options.loopback(), formats(Map.of(10, MID)));

    int seq = a.sendAudio(25);
    BridgeHarness.await(
        () -> b.receivedCount(a.audioSsrc()) == 1 && c.receivedCount(a.audioSsrc()) == 1,
        WAIT,
        "a's audio at b and c");

    SyntheticEndpoint.ReceivedRtp atB = b.receivedRtp(a.audioSsrc()).get(0);
    assertThat(atB.extensions()).containsOnlyKeys(2);
    assertThat(atB.extensions().get(2)[0] & 0x7F).isEqualTo(25);
    assertThat(atB.payload()).isEqualTo(a.sentPayload(a.audioSsrc(), seq));
    SyntheticEndpoint.ReceivedRtp atC = c.receivedRtp(a.audioSsrc()).get(0);
    assertThat(atC.extensions()).isEmpty();
    assertThat(atC.payload()).isEqualTo(a.sentPayload(a.audioSsrc(), seq));
  }
}
