package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RtpTest {

  private static byte[] rtpWithOneByteExtension(int id, int value) {
    byte[] p = new byte[12 + 8 + 10];
    p[0] = (byte) 0x90;
    p[1] = 111;
    p[12] = (byte) 0xBE;
    p[13] = (byte) 0xDE;
    p[15] = 1;
    p[16] = 0; // padding byte before the element is allowed
    p[17] = (byte) (id << 4);
    p[18] = (byte) value;
    return p;
  }

  @Test
  void demultiplexesByFirstByteAndPayloadType() {
    byte[] dtls = new byte[20];
    dtls[0] = 22;
    assertThat(Rtp.looksLikeDtls(dtls, 0, dtls.length)).isTrue();
    assertThat(Rtp.looksLikeRtpOrRtcp(dtls, 0, dtls.length)).isFalse();
    byte[] rtcp = Rtp.pli(1, 2);
    assertThat(Rtp.looksLikeRtpOrRtcp(rtcp, 0, rtcp.length)).isTrue();
    assertThat(Rtp.isRtcp(rtcp, 0, rtcp.length)).isTrue();
    byte[] rtp = rtpWithOneByteExtension(1, 0x80 | 33);
    assertThat(Rtp.isRtcp(rtp, 0, rtp.length)).isFalse();
    byte[] stun = new byte[20];
    assertThat(Rtp.looksLikeDtls(stun, 0, 20) || Rtp.looksLikeRtpOrRtcp(stun, 0, 20)).isFalse();
  }

  @Test
  void readsTheAudioLevelFromOneAndTwoByteExtensions() {
    assertThat(Rtp.audioLevel(rtpWithOneByteExtension(1, 0x80 | 33), 0, 30, 1)).isEqualTo(33);
    assertThat(Rtp.audioLevel(rtpWithOneByteExtension(2, 0x80 | 33), 0, 30, 1)).isEqualTo(-1);

    byte[] p = new byte[12 + 8];
    p[0] = (byte) 0x90;
    p[12] = 0x10;
    p[13] = 0x00;
    p[15] = 1;
    p[16] = 5; // id
    p[17] = 1; // length
    p[18] = (byte) 0x7F;
    assertThat(Rtp.audioLevel(p, 0, p.length, 5)).isEqualTo(127);
  }

  @Test
  void rejectsHeadersLongerThanThePacket() {
    byte[] p = rtpWithOneByteExtension(1, 0);
    p[15] = 40; // claims 40 words of extensions
    assertThat(Rtp.headerLength(p, 0, p.length)).isEqualTo(-1);
    assertThat(Rtp.audioLevel(p, 0, p.length, 1)).isEqualTo(-1);
    byte[] csrcs = new byte[16];
    csrcs[0] = (byte) 0x8F; // 15 CSRCs in 16 bytes
    assertThat(Rtp.headerLength(csrcs, 0, csrcs.length)).isEqualTo(-1);
  }

  @Test
  void buildsNackFciWithBitmasks() {
    byte[] nack = Rtp.nack(7, 9, new int[] {100, 101, 116, 117, 65535});
    // 100 with 101 and 116 in its bitmask; 117 and 65535 start new FCIs
    assertThat(Rtp.rtcpPacketLength(nack, 0)).isEqualTo(nack.length).isEqualTo(24);
    assertThat(Rtp.readUint32(nack, 8)).isEqualTo(9);
    assertThat(((nack[12] & 0xFF) << 8) | (nack[13] & 0xFF)).isEqualTo(100);
    assertThat(((nack[14] & 0xFF) << 8) | (nack[15] & 0xFF)).isEqualTo(1 | (1 << 15));
    assertThat(((nack[16] & 0xFF) << 8) | (nack[17] & 0xFF)).isEqualTo(117);
    assertThat(((nack[20] & 0xFF) << 8) | (nack[21] & 0xFF)).isEqualTo(65535);
  }

  @Test
  void rembRoundTripsWithExponentAndMantissa() {
    for (long bitrate : new long[] {0, 1, 300_000, 1_000_000, 2_500_000, 20_000_000}) {
      byte[] remb = Rtp.remb(5, bitrate, new long[] {11, 12});
      long decoded = Rtp.rembBitrate(remb, 0, remb.length);
      assertThat(decoded).isLessThanOrEqualTo(bitrate).isGreaterThan((long) (bitrate * 0.999) - 1);
      assertThat(Rtp.readUint32(remb, 20)).isEqualTo(11);
    }
    assertThat(Rtp.rembBitrate(Rtp.pli(1, 2), 0, 12)).isEqualTo(-1);
  }

  @Test
  void receiverReportCarriesLossAndHighestSequence() {
    byte[] rr =
        Rtp.receiverReport(
            42,
            List.of(
                new Rtp.ReportBlock(77, 25, 3, 0x1_0005L, 17, 0xABCD_1234L, 65536),
                new Rtp.ReportBlock(78, 0, -2, 9, 0, 0, 0)));
    assertThat(rr[0] & 0x1F).isEqualTo(2);
    assertThat(rr[1] & 0xFF).isEqualTo(201);
    assertThat(Rtp.rtcpPacketLength(rr, 0)).isEqualTo(rr.length).isEqualTo(56);
    assertThat(Rtp.readUint32(rr, 4)).isEqualTo(42);
    assertThat(Rtp.readUint32(rr, 8)).isEqualTo(77);
    assertThat(rr[12] & 0xFF).isEqualTo(25);
    assertThat(Rtp.readUint32(rr, 12) & 0xFFFFFF).isEqualTo(3);
    assertThat(Rtp.readUint32(rr, 16)).isEqualTo(0x1_0005L);
    assertThat(Rtp.readUint32(rr, 20)).isEqualTo(17);
    assertThat(Rtp.readUint32(rr, 24)).isEqualTo(0xABCD_1234L);
    assertThat(Rtp.readUint32(rr, 28)).isEqualTo(65536);
    assertThat(Rtp.readUint32(rr, 36) & 0xFFFFFF).isEqualTo(0xFFFFFE); // -2, 24-bit
  }

  @Test
  void receiveStatsCountLossAcrossWrapAround() {
    ReceiveStats stats = new ReceiveStats();
    for (int seq : new int[] {65533, 65534, 0, 1, 3}) { // 65535 and 2 lost
      stats.received(seq, 0, 0, 0, false);
    }
    Rtp.ReportBlock block = stats.reportBlock(1, 0);
    assertThat(block.extendedHighestSeq()).isEqualTo(0x1_0003L);
    assertThat(block.cumulativeLost()).isEqualTo(2);
    assertThat(block.fractionLost()).isEqualTo((2 << 8) / 7);
    assertThat(stats.reportBlock(1, 0).fractionLost()).isZero();
  }

  @Test
  void aJumpInTheNumberingIsNotReportedAsLoss() {
    ReceiveStats stats = new ReceiveStats();
    for (int seq = 100; seq < 110; seq++) {
      stats.received(seq, 0, 0, 0, false);
    }
    stats.reportBlock(1, 0);
    // a stray number: ignored, and not to be forwarded
    assertThat(stats.received(40_000, 0, 0, 0, false)).isFalse();
    assertThat(stats.received(110, 0, 0, 0, false)).isTrue();
    Rtp.ReportBlock afterStray = stats.reportBlock(1, 0);
    assertThat(afterStray.fractionLost()).isZero();
    assertThat(afterStray.cumulativeLost()).isZero();
    assertThat(afterStray.extendedHighestSeq()).isEqualTo(110);

    // two in a row after a jump: the sender restarted its numbering there
    assertThat(stats.received(20_000, 0, 0, 0, false)).isFalse();
    assertThat(stats.received(20_001, 0, 0, 0, false)).isTrue();
    assertThat(stats.received(20_002, 0, 0, 0, false)).isTrue();
    Rtp.ReportBlock afterRestart = stats.reportBlock(1, 0);
    assertThat(afterRestart.fractionLost()).isZero();
    assertThat(afterRestart.cumulativeLost()).isZero();
    assertThat(afterRestart.extendedHighestSeq()).isEqualTo(20_002);

    // a real gap below the dropout limit is loss
    stats.received(20_013, 0, 0, 0, false); // 10 lost
    Rtp.ReportBlock gap = stats.reportBlock(1, 0);
    assertThat(gap.cumulativeLost()).isEqualTo(10);
    assertThat(gap.fractionLost()).isEqualTo((10 << 8) / 11);
    // late and duplicate packets within the misorder window are no loss either
    stats.received(20_005, 0, 0, 0, false);
    stats.received(20_013, 0, 0, 0, false);
    assertThat(stats.reportBlock(1, 0).fractionLost()).isZero();
  }

  @Test
  void jitterIsZeroForEvenPacingAndGrowsWhenArrivalsWander() {
    ReceiveStats even = new ReceiveStats();
    ReceiveStats uneven = new ReceiveStats();
    long ts = 0xFFFF_F000L; // the RTP timestamp wraps on the way
    for (int i = 0; i < 50; i++) {
      long arrival = i * 20_000_000L; // every 20 ms, 960 units of 48 kHz
      even.received(i, ts, 48000, arrival, true);
      uneven.received(i, ts, 48000, arrival + (i % 2 == 0 ? 0 : 10_000_000L), true);
      ts = (ts + 960) & 0xFFFF_FFFFL;
    }
    assertThat(even.reportBlock(1, 0).jitter()).isZero();
    // |D| is 10 ms = 480 units for every packet after the first; J converges towards 480
    assertThat(uneven.reportBlock(1, 0).jitter()).isBetween(400L, 480L);
  }

  @Test
  void theLastSenderReportAndTheDelaySinceItAreReported() {
    ReceiveStats stats = new ReceiveStats();
    stats.received(1, 0, 90000, 0, false);
    assertThat(stats.reportBlock(1, 0).lastSr()).isZero();
    assertThat(stats.reportBlock(1, 0).delaySinceLastSr()).isZero();
    stats.senderReport(0x1234_5678L, 1_000_000_000L);
    Rtp.ReportBlock block = stats.reportBlock(1, 1_500_000_000L);
    assertThat(block.lastSr()).isEqualTo(0x1234_5678L);
    assertThat(block.delaySinceLastSr()).isEqualTo(32768); // 0.5 s in 1/65536 s
  }

  @Test
  void sendCacheAnswersOnlyForTheExactSequence() {
    SendCache cache = new SendCache();
    byte[] p = new byte[12];
    p[0] = (byte) 0x80;
    p[2] = 0x12;
    p[3] = 0x34;
    cache.put(p);
    assertThat(cache.get(0x1234)).isSameAs(p);
    assertThat(cache.get(0x1234 + SendCache.SIZE)).isNull();
    assertThat(cache.get(0x1235)).isNull();
  }

  /** PT 100, seq 1, then the VP8 payload descriptor and the first payload byte. */
  private static byte[] vp8(int... descriptorAndPayload) {
    byte[] p = new byte[12 + descriptorAndPayload.length];
    p[0] = (byte) 0x80;
    p[1] = 100;
    for (int i = 0; i < descriptorAndPayload.length; i++) {
      p[12 + i] = (byte) descriptorAndPayload[i];
    }
    return p;
  }

  @Test
  void recognisesTheStartOfAVp8Keyframe() {
    // S=1, partition 0, P=0
    assertThat(Rtp.isVp8KeyframeStart(vp8(0x10, 0x00, 1, 2), 0, 16)).isTrue();
    // a delta frame (P=1), a continuation (S=0), another partition
    assertThat(Rtp.isVp8KeyframeStart(vp8(0x10, 0x01, 1, 2), 0, 16)).isFalse();
    assertThat(Rtp.isVp8KeyframeStart(vp8(0x00, 0x00, 1, 2), 0, 16)).isFalse();
    assertThat(Rtp.isVp8KeyframeStart(vp8(0x11, 0x00, 1, 2), 0, 16)).isFalse();
    // X: I (15-bit PictureID), L (TL0PICIDX), T (TID): the payload header comes 5 bytes later
    byte[] extended = vp8(0x90, 0xE0, 0x81, 0x23, 0x05, 0x40, 0x00);
    assertThat(Rtp.isVp8KeyframeStart(extended, 0, extended.length)).isTrue();
    byte[] extendedDelta = vp8(0x90, 0xE0, 0x81, 0x23, 0x05, 0x40, 0x01);
    assertThat(Rtp.isVp8KeyframeStart(extendedDelta, 0, extendedDelta.length)).isFalse();
    // nothing after the descriptor
    byte[] truncated = vp8(0x90, 0x80);
    assertThat(Rtp.isVp8KeyframeStart(truncated, 0, truncated.length)).isFalse();
  }
}
