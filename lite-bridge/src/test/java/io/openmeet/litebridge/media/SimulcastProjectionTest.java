package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimulcastProjectionTest {

  private static final long PRIMARY = 1000;
  private static final long MS = 1_000_000L;

  /** One layer's own numbering, as a sender keeps it: each frame one packet. */
  private static final class Layer {
    final long ssrc;
    int seq;
    long ts;
    int pictureId;
    int tl0;

    Layer(long ssrc, int seq, long ts, int pictureId, int tl0) {
      this.ssrc = ssrc;
      this.seq = seq;
      this.ts = ts;
      this.pictureId = pictureId;
      this.tl0 = tl0;
    }

    /** The next frame (50 ms later, 20 fps), every frame a base-layer frame. */
    byte[] next(boolean keyframe) {
      byte[] p = Vp8Packets.frame(ssrc, seq, ts, pictureId, tl0, keyframe);
      seq = (seq + 1) & 0xFFFF;
      ts = (ts + 4500) & 0xFFFFFFFFL;
      pictureId = (pictureId + 1) & 0x7FFF;
      tl0 = (tl0 + 1) & 0xFF;
      return p;
    }
  }

  private static byte[] project(SimulcastProjection p, byte[] packet, int layer, long now) {
    return p.project(packet, layer, Vp8Payload.parse(packet, 0, packet.length), now);
  }

  private static int pictureId(byte[] p) {
    return Vp8Payload.parse(p, 0, p.length).pictureId();
  }

  private static int tl0(byte[] p) {
    return Vp8Payload.parse(p, 0, p.length).tl0PicIdx();
  }

  @Test
  void nothingIsForwardedBeforeTheTargetsKeyframeAndTheFirstLayerKeepsItsNumbers() {
    SimulcastProjection p = new SimulcastProjection(PRIMARY, 90_000);
    Layer low = new Layer(1000, 500, 9000, 10, 3);
    assertThat(project(p, low.next(true), 0, 0)).as("no target yet").isNull();
    p.setTarget(0);
    assertThat(p.keyframeToRequest(0)).isZero();
    assertThat(p.keyframeToRequest(100 * MS)).as("asked already").isEqualTo(-1);
    assertThat(p.keyframeToRequest(600 * MS)).as("asked again after 500 ms").isZero();
    assertThat(project(p, low.next(false), 0, 700 * MS)).as("a delta frame cannot start").isNull();
    byte[] key = low.next(true);
    byte[] out = project(p, key, 0, 750 * MS);
    assertThat(out).isNotNull().isNotSameAs(key);
    assertThat(Rtp.ssrc(out, 0)).isEqualTo(PRIMARY);
    assertThat(Rtp.sequenceNumber(out, 0)).isEqualTo(502);
    assertThat(Rtp.timestamp(out, 0)).isEqualTo(9000 + 2 * 4500);
    assertThat(pictureId(out)).isEqualTo(12);
    assertThat(p.current()).isZero();
    assertThat(p.keyframeToRequest(2000 * MS)).as("switched: nothing to ask").isEqualTo(-1);
    // the copy is rewritten, the packet that other receivers share is not
    assertThat(Rtp.ssrc(key, 0)).isEqualTo(1000);
  }

  @Test
  void aSwitchContinuesSequenceTimestampPictureIdAndTl0FromTheLastPacketSent() {
    SimulcastProjection p = new SimulcastProjection(PRIMARY, 90_000);
    Layer low = new Layer(1000, 65_530, 0xFFFF_F000L, 0x7FFD, 254);
    Layer high = new Layer(3000, 100, 5_000_000, 20_000, 7);
    p.setTarget(0);
    List<byte[]> out = new ArrayList<>();
    long now = 0;
    out.add(project(p, low.next(true), 0, now));
    for (int i = 0; i < 5; i++) {
      now += 50 * MS;
      out.add(project(p, low.next(false), 0, now));
      assertThat(project(p, high.next(i == 0), 2, now)).as("not the target").isNull();
    }
    p.setTarget(2);
    now += 50 * MS;
    assertThat(project(p, high.next(false), 2, now)).as("waits for a keyframe").isNull();
    out.add(project(p, low.next(false), 0, now)); // the old layer goes on meanwhile
    now += 30 * MS;
    byte[] switched = project(p, high.next(true), 2, now);
    assertThat(switched).isNotNull();
    out.add(switched);
    assertThat(project(p, low.next(false), 0, now + MS)).as("the old layer stops").isNull();
    for (int i = 0; i < 5; i++) {
      now += 50 * MS;
      out.add(project(p, high.next(false), 2, now));
    }
    assertThat(p.switches()).isEqualTo(2);
    for (int i = 1; i < out.size(); i++) {
      byte[] a = out.get(i - 1);
      byte[] b = out.get(i);
      assertThat(Rtp.ssrc(b, 0)).isEqualTo(PRIMARY);
      assertThat(Rtp.sequenceNumber(b, 0)).isEqualTo((Rtp.sequenceNumber(a, 0) + 1) & 0xFFFF);
      assertThat(pictureId(b)).isEqualTo((pictureId(a) + 1) & 0x7FFF);
      assertThat(tl0(b)).isEqualTo((tl0(a) + 1) & 0xFF);
      long step = (Rtp.timestamp(b, 0) - Rtp.timestamp(a, 0)) & 0xFFFFFFFFL;
      assertThat(step).as("timestamp step %d", i).isBetween(1L, 4500L);
    }
    // the switch's timestamp step is the 30 ms of wall clock since the last packet sent
    int at = out.indexOf(switched);
    long step = (Rtp.timestamp(switched, 0) - Rtp.timestamp(out.get(at - 1), 0)) & 0xFFFFFFFFL;
    assertThat(step).isEqualTo(30 * 90);
    // all of it wrapped: sequence past 65535, timestamps past 2^32, PictureIDs past 2^15, TL0 past
    // 255
    assertThat(Rtp.sequenceNumber(out.get(out.size() - 1), 0)).isLessThan(100);
    assertThat(Rtp.timestamp(out.get(out.size() - 1), 0)).isLessThan(0x1000_0000L);
    assertThat(pictureId(out.get(out.size() - 1))).isLessThan(100);
    assertThat(tl0(out.get(out.size() - 1))).isLessThan(20);
  }

  @Test
  void lossAndReorderingStayVisibleAndPacketsFromBeforeTheSwitchAreDropped() {
    SimulcastProjection p = new SimulcastProjection(PRIMARY, 90_000);
    p.setTarget(1);
    byte[] key = Vp8Packets.frame(2000, 10, 0, 1, 1, true);
    byte[] late = Vp8Packets.frame(2000, 9, 0, 0, 0, false);
    byte[] eleven = Vp8Packets.frame(2000, 11, 4500, 2, 2, false);
    byte[] twelve = Vp8Packets.frame(2000, 12, 9000, 3, 3, false);
    byte[] fourteen = Vp8Packets.frame(2000, 14, 18000, 5, 5, false);
    assertThat(Rtp.sequenceNumber(project(p, key, 1, 0), 0)).isEqualTo(10);
    assertThat(project(p, late, 1, MS)).as("older than the keyframe").isNull();
    assertThat(Rtp.sequenceNumber(project(p, twelve, 1, 2 * MS), 0)).isEqualTo(12);
    assertThat(Rtp.sequenceNumber(project(p, eleven, 1, 3 * MS), 0)).isEqualTo(11);
    assertThat(Rtp.sequenceNumber(project(p, fourteen, 1, 4 * MS), 0)).isEqualTo(14);
    // a switch after reordering continues after the highest number sent, not the last one
    p.setTarget(0);
    byte[] other = Vp8Packets.frame(1000, 40_000, 77, 300, 9, true);
    assertThat(Rtp.sequenceNumber(project(p, other, 0, 5 * MS), 0)).isEqualTo(15);
  }

  @Test
  void aPausedSourceResumesAtAKeyframeWithoutGoingBack() {
    SimulcastProjection p = new SimulcastProjection(PRIMARY, 90_000);
    Layer low = new Layer(1000, 100, 1000, 5, 5);
    p.setTarget(0);
    byte[] last = null;
    for (int i = 0; i < 3; i++) {
      last = project(p, low.next(i == 0), 0, i * 50 * MS);
    }
    p.setTarget(-1);
    assertThat(p.current()).isEqualTo(-1);
    assertThat(project(p, low.next(false), 0, 200 * MS)).isNull();
    assertThat(p.keyframeToRequest(200 * MS)).isEqualTo(-1);
    p.setTarget(0);
    assertThat(project(p, low.next(false), 0, 5000 * MS)).as("needs a keyframe").isNull();
    byte[] resumed = project(p, low.next(true), 0, 5050 * MS);
    assertThat(Rtp.sequenceNumber(resumed, 0)).isEqualTo(Rtp.sequenceNumber(last, 0) + 1);
    assertThat(pictureId(resumed)).isEqualTo(pictureId(last) + 1);
    assertThat(Rtp.timestamp(resumed, 0) - Rtp.timestamp(last, 0)).isEqualTo(4950L * 90);
  }

  @Test
  void senderReportsGoOnlyForTheLayerForwardedWithItsTimestampShifted() {
    SimulcastProjection p = new SimulcastProjection(PRIMARY, 90_000);
    Layer low = new Layer(1000, 1, 1_000_000, 1, 1);
    Layer high = new Layer(3000, 1, 7_000_000, 1, 1);
    p.setTarget(0);
    byte[] first = project(p, low.next(true), 0, 0);
    p.setTarget(2);
    byte[] key = high.next(true);
    byte[] switched = project(p, key, 2, 40 * MS);
    long shift = (Rtp.timestamp(switched, 0) - Rtp.timestamp(key, 0)) & 0xFFFFFFFFL;
    assertThat(first).isNotNull();
    byte[] sr = new byte[28];
    sr[0] = (byte) 0x80;
    sr[1] = (byte) 200;
    sr[3] = 6;
    Rtp.writeUint32(sr, 4, 3000);
    Rtp.writeUint32(sr, 16, 7_004_500);
    byte[] out = p.senderReport(sr, 2);
    assertThat(Rtp.readUint32(out, 4)).isEqualTo(PRIMARY);
    assertThat(Rtp.readUint32(out, 16)).isEqualTo((7_004_500 + shift) & 0xFFFFFFFFL);
    assertThat(Rtp.readUint32(sr, 4)).as("the original is left alone").isEqualTo(3000);
    assertThat(p.senderReport(sr, 0)).as("not the layer forwarded").isNull();
  }

  @Test
  void randomSwitchesGiveOneGaplessStreamWithMonotonicTimestamps() {
    Random random = new Random(42);
    for (int run = 0; run < 50; run++) {
      SimulcastProjection p = new SimulcastProjection(PRIMARY, 90_000);
      Layer[] layers = new Layer[3];
      for (int i = 0; i < 3; i++) {
        layers[i] =
            new Layer(
                1000 + i,
                random.nextInt(65_536),
                random.nextLong() & 0xFFFFFFFFL,
                random.nextInt(1 << 15),
                random.nextInt(256));
      }
      p.setTarget(random.nextInt(3));
      List<byte[]> out = new ArrayList<>();
      long now = 0;
      for (int frame = 0; frame < 400; frame++) {
        now += 50 * MS;
        if (random.nextInt(20) == 0) {
          p.setTarget(random.nextInt(3));
        }
        boolean key = random.nextInt(10) == 0;
        for (int i = 0; i < 3; i++) {
          byte[] o = project(p, layers[i].next(key), i, now + i * MS);
          if (o != null) {
            out.add(o);
          }
        }
      }
      assertThat(out.size()).isGreaterThan(300);
      for (int i = 1; i < out.size(); i++) {
        byte[] a = out.get(i - 1);
        byte[] b = out.get(i);
        assertThat(Rtp.sequenceNumber(b, 0)).isEqualTo((Rtp.sequenceNumber(a, 0) + 1) & 0xFFFF);
        assertThat(pictureId(b)).isEqualTo((pictureId(a) + 1) & 0x7FFF);
        assertThat(tl0(b)).isEqualTo((tl0(a) + 1) & 0xFF);
        int step = (int) (Rtp.timestamp(b, 0) - Rtp.timestamp(a, 0));
        assertThat(step).as("run %d packet %d", run, i).isPositive();
      }
    }
  }
}
