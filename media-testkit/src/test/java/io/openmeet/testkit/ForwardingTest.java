package io.openmeet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.media.TransportState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ForwardingTest {

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
  void twoEndpointsReceiveEachOthersPacketsIntact() throws Exception {
    SyntheticEndpoint a = bridge.join("a");
    SyntheticEndpoint b = bridge.join("b");

    List<Integer> aVideo = new ArrayList<>();
    List<Integer> bAudio = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      aVideo.add(a.sendVideo(400 + i, i == 0));
      bAudio.add(b.sendAudio(30));
      Thread.sleep(2);
    }
    BridgeHarness.await(
        () -> b.receivedCount(a.videoSsrc()) >= 50 && a.receivedCount(b.audioSsrc()) >= 50,
        Duration.ofSeconds(5),
        "forwarded packets");

    List<SyntheticEndpoint.ReceivedRtp> atB = b.receivedRtp(a.videoSsrc());
    assertThat(atB)
        .extracting(SyntheticEndpoint.ReceivedRtp::seq)
        .containsExactlyElementsOf(aVideo);
    for (SyntheticEndpoint.ReceivedRtp r : atB) {
      assertThat(r.payloadType()).isEqualTo(SyntheticEndpoint.VP8_PT);
      assertThat(r.payload()).isEqualTo(a.sentPayload(a.videoSsrc(), r.seq()));
    }
    List<SyntheticEndpoint.ReceivedRtp> atA = a.receivedRtp(b.audioSsrc());
    assertThat(atA)
        .extracting(SyntheticEndpoint.ReceivedRtp::seq)
        .containsExactlyElementsOf(bAudio);
    for (SyntheticEndpoint.ReceivedRtp r : atA) {
      assertThat(r.payload()).isEqualTo(b.sentPayload(b.audioSsrc(), r.seq()));
    }
    // nobody gets their own media back
    assertThat(a.receivedCount(a.videoSsrc())).isZero();
    assertThat(b.receivedCount(b.audioSsrc())).isZero();
    assertThat(a.undecryptablePackets()).isZero();
    assertThat(b.undecryptablePackets()).isZero();
    assertThat(bridge.transports.get("a").state()).isEqualTo(TransportState.CONNECTED);
  }
}
