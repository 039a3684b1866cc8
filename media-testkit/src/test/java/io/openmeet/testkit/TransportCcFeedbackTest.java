package io.openmeet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.media.MediaFormats;
import io.openmeet.litebridge.media.TransportCcFeedbackDecoder;
import io.openmeet.litebridge.media.TransportCcFeedbackDecoder.Feedback;
import io.openmeet.litebridge.media.TransportCcFeedbackDecoder.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A sender that stamps transport-wide sequence numbers, as Chromium does, gets transport-cc
 * feedback from the bridge about every one of them (and no REMB to cap its own estimate); the
 * feedback is read with the test decoder, independent of the bridge's encoder.
 */
class TransportCcFeedbackTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int TCC_ID = 5;
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

  private static MediaFormats withTransportCc() {
    MediaFormats base = SyntheticEndpoint.mediaFormats();
    Map<Integer, String> extensions = new HashMap<>(base.headerExtensions());
    extensions.put(TCC_ID, TRANSPORT_CC);
    return new MediaFormats(base.payloadTypes(), base.rtxPayloadTypes(), extensions);
  }

  private static int sendWithTransportSequence(SyntheticEndpoint e, int transportSeq) {
    byte[] seq = {(byte) (transportSeq >>> 8), (byte) transportSeq};
    return e.sendVideo(900, false, Map.of(TCC_ID, seq));
  }

  /** Every transport-cc status a received, later feedback overriding earlier (a late packet). */
  private static Map<Integer, Status> statuses(SyntheticEndpoint a) {
    Map<Integer, Status> out = new HashMap<>();
    for (Feedback f : feedback(a)) {
      for (Status s : f.statuses()) {
        out.put(s.sequence(), s);
      }
    }
    return out;
  }

  private static List<Feedback> feedback(SyntheticEndpoint a) {
    List<Feedback> out = new ArrayList<>();
    for (SyntheticEndpoint.ReceivedRtcp r : a.receivedRtcp()) {
      if (r.packetType() == 205 && r.fmt() == 15) {
        out.add(TransportCcFeedbackDecoder.decode(r.packet()));
      }
    }
    return out;
  }

  @Test
  void everyTransportSequenceNumberIsReportedWithItsArrivalAndTheGapAsLost() throws Exception {
    SyntheticEndpoint a = bridge.join("a", SyntheticEndpoint.Options.loopback(), withTransportCc());
    bridge.join("b");
    long feedbackVideo = bridge.conference.feedbackSources().get(1).ssrcs().get(0);

    // across the 16-bit wrap; 65530 is never sent (lost before the bridge), 3 overtakes 2
    List<Integer> order = new ArrayList<>();
    for (int s = 65520; s < 65536; s++) {
      if (s != 65530) {
        order.add(s);
      }
    }
    order.addAll(List.of(0, 1, 3, 2, 4, 5));
    for (int s : order) {
      sendWithTransportSequence(a, s);
    }
    Thread.sleep(100);
    sendWithTransportSequence(a, 6); // 100 ms later
    BridgeHarness.await(
        () -> statuses(a).containsKey(6), WAIT, "transport-cc feedback up to 6 at a");

    Map<Integer, Status> s = statuses(a);
    for (int seq : order) {
      assertThat(s.get(seq)).as("status of " + seq).isNotNull();
      assertThat(s.get(seq).received()).as("received " + seq).isTrue();
    }
    assertThat(s.get(65530).received()).isFalse();
    // (a lower bound only: the bridge's socket thread may read 5 late on a loaded machine)
    assertThat(s.get(6).arrivalMicros() - s.get(5).arrivalMicros()).isGreaterThanOrEqualTo(50_000);
    assertThat(s.get(3).arrivalMicros()).isLessThanOrEqualTo(s.get(2).arrivalMicros());

    List<Feedback> feedback = feedback(a);
    assertThat(feedback).allMatch(f -> f.senderSsrc() == feedbackVideo);
    assertThat(feedback).allMatch(f -> f.mediaSsrc() == a.videoSsrc());
    for (int i = 1; i < feedback.size(); i++) {
      assertThat(feedback.get(i).feedbackCount())
          .isEqualTo((feedback.get(i - 1).feedbackCount() + 1) & 0xFF);
    }
  }

  @Test
  void aTransportCcSenderGetsNoRembAndItsReportsShowNoLoss() throws Exception {
    SyntheticEndpoint a = bridge.join("a", SyntheticEndpoint.Options.loopback(), withTransportCc());
    bridge.join("b");
    long feedbackAudio = bridge.conference.feedbackSources().get(0).ssrcs().get(0);
    // RTP sequence numbers without a gap; transport-wide numbers skip one: the RR must not
    // report a loss that did not happen on the stream
    // a count, not a duration: on a loaded machine one send can take longer than the whole loop
    int transportSeq = 100;
    for (int i = 0; i < 300; i++) {
      sendWithTransportSequence(a, transportSeq);
      transportSeq += transportSeq == 150 ? 2 : 1;
      Thread.sleep(5);
    }
    BridgeHarness.await(
        () ->
            a.receivedReports().stream()
                .anyMatch(r -> r.blocks().stream().anyMatch(b -> b.ssrc() == a.videoSsrc())),
        WAIT,
        "an RR for a's video");
    int last = transportSeq - 1;
    BridgeHarness.await(() -> statuses(a).containsKey(last), WAIT, "feedback up to " + last);

    assertThat(a.receivedRtcp()).noneMatch(r -> r.rembBitrate() >= 0);
    assertThat(a.receivedReports())
        .filteredOn(r -> r.packetType() == 201)
        .allMatch(r -> r.senderSsrc() == feedbackAudio)
        .flatMap(SyntheticEndpoint.ReceivedReport::blocks)
        .allMatch(b -> b.fractionLost() == 0 && b.cumulativeLost() == 0);
    assertThat(statuses(a).get(151).received()).isFalse();
    assertThat(statuses(a).values()).filteredOn(st -> !st.received()).hasSize(1);
  }

  @Test
  void probesOnTheRtxStreamAreReportedButNotForwarded() throws Exception {
    SyntheticEndpoint a = bridge.join("a", SyntheticEndpoint.Options.loopback(), withTransportCc());
    SyntheticEndpoint b = bridge.join("b");
    sendWithTransportSequence(a, 1);
    for (int s = 2; s <= 6; s++) {
      a.sendRtxPadding(200, Map.of(TCC_ID, new byte[] {0, (byte) s}));
    }
    sendWithTransportSequence(a, 7);
    BridgeHarness.await(() -> statuses(a).containsKey(7), WAIT, "feedback up to 7 at a");
    BridgeHarness.await(() -> b.receivedCount(a.videoSsrc()) == 2, WAIT, "a's video at b");

    for (int s = 1; s <= 7; s++) {
      assertThat(statuses(a).get(s).received()).as("probe or media " + s).isTrue();
    }
    assertThat(b.receivedCount(a.rtxSsrc())).isZero();
  }
}
