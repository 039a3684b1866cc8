package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Byte layouts worked out by hand from the draft, then round trips through the test decoder. */
class TransportCcFeedbackTest {

  private static final long SENDER = 0x11111111L;
  private static final long MEDIA = 0x22222222L;

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  @Test
  void twoBitVectorWithALargeDeltaAndTwoBytesOfPadding() {
    TransportCcFeedback fb = new TransportCcFeedback(SENDER, MEDIA, 7, 100);
    long t0 = 5 * 64_000 + 1_000; // reference time 5, 4 ticks into it
    assertThat(fb.addReceived(0, t0)).isTrue();
    assertThat(fb.addReceived(1, t0 + 2_500)).isTrue(); // 10 ticks
    assertThat(fb.addReceived(2, t0 + 2_500 + 75_000)).isTrue(); // 300 ticks: two bytes

    assertThat(fb.build())
        .isEqualTo(
            bytes(
                0xAF, 0xCD, 0x00, 0x06, // V=2 P=1 FMT=15, PT 205, 7 words
                0x11, 0x11, 0x11, 0x11, // sender SSRC
                0x22, 0x22, 0x22, 0x22, // media SSRC
                0x00, 0x64, 0x00, 0x03, // base 100, 3 statuses
                0x00, 0x00, 0x05, 0x07, // reference time 5, feedback count 7
                0xD6, 0x00, // two-bit vector: small, small, large
                0x04, 0x0A, 0x01, 0x2C, // deltas 4, 10, 300
                0x00, 0x02)); // padding
  }

  @Test
  void lossesAcrossTheSequenceWrapUseAOneBitVectorAndARunLength() {
    // the feedback count is written modulo 256
    TransportCcFeedback fb = new TransportCcFeedback(SENDER, MEDIA, 511, 65534);
    long t0 = 1000 * 64_000L;
    assertThat(fb.addReceived(0, t0)).isTrue(); // 65534
    assertThat(fb.addReceived(2, t0 + 1_000)).isTrue(); // 0; 65535 lost
    assertThat(fb.addReceived(40, t0 + 21_000)).isTrue(); // 38; 1..37 lost

    assertThat(fb.statusCount()).isEqualTo(41);
    assertThat(fb.build())
        .isEqualTo(
            bytes(
                0xAF, 0xCD, 0x00, 0x07, //
                0x11, 0x11, 0x11, 0x11, //
                0x22, 0x22, 0x22, 0x22, //
                0xFF, 0xFE, 0x00, 0x29, // base 65534, 41 statuses
                0x00, 0x03, 0xE8, 0xFF, // reference time 1000, count 255
                0xA8, 0x00, // one-bit vector: 1 0 1 then 11 not received
                0x00, 0x1A, // run of 26 not received
                0xA0, 0x00, // last chunk: one received
                0x00, 0x04, 0x50, // deltas 0, 4, 80
                0x00, 0x00, 0x03)); // padding
  }

  @Test
  void aPacketThatArrivedBeforeItsPredecessorHasANegativeDelta() {
    TransportCcFeedback fb = new TransportCcFeedback(SENDER, MEDIA, 0, 9);
    long t0 = 2 * 64_000 + 2_500;
    assertThat(fb.addReceived(0, t0)).isTrue();
    assertThat(fb.addReceived(1, t0 - 1_000)).isTrue();

    assertThat(fb.build())
        .isEqualTo(
            bytes(
                0xAF, 0xCD, 0x00, 0x06, //
                0x11, 0x11, 0x11, 0x11, //
                0x22, 0x22, 0x22, 0x22, //
                0x00, 0x09, 0x00, 0x02, //
                0x00, 0x00, 0x02, 0x00, //
                0xD8, 0x00, // two-bit vector: small, large
                0x0A, 0xFF, 0xFC, // 10, then -4
                0x00, 0x00, 0x03));
  }

  @Test
  void aLongRunOfReceivedPacketsIsOneRunLengthChunkWithoutPadding() {
    TransportCcFeedback fb = new TransportCcFeedback(SENDER, MEDIA, 1, 0);
    for (int i = 0; i < 20; i++) {
      assertThat(fb.addReceived(i, 64_000 + i * 1_000L)).isTrue();
    }
    byte[] p = fb.build();
    // 20 header + 2 chunk + 20 deltas = 42, padded to 44
    assertThat(p).hasSize(44);
    assertThat(p[20]).isEqualTo((byte) 0x20); // run-length, symbol 1
    assertThat(p[21]).isEqualTo((byte) 20);

    TransportCcFeedback even = new TransportCcFeedback(SENDER, MEDIA, 1, 0);
    even.addReceived(0, 0);
    even.addReceived(1, 250);
    byte[] q = even.build();
    assertThat(q).hasSize(24);
    assertThat(q[0]).isEqualTo((byte) 0x8F); // no padding, no P bit
    assertThat(q[3]).isEqualTo((byte) 5);
  }

  @Test
  void refusesWhatDoesNotFitAndLeavesTheFeedbackAsItWas() {
    TransportCcFeedback fb = new TransportCcFeedback(SENDER, MEDIA, 0, 0);
    assertThat(fb.addReceived(0, 0)).isTrue();
    // 8.2 s after the previous packet does not fit a signed 16-bit count of 250 µs
    assertThat(fb.addReceived(1, 8_200_000)).isFalse();
    assertThat(fb.addReceived(1, -8_200_000)).isTrue(); // clamped to 0: a zero delta
    assertThat(fb.addReceived(TransportCcFeedback.MAX_STATUSES, 1_000)).isFalse();
    assertThat(fb.statusCount()).isEqualTo(2);
    assertThatThrownBy(() -> fb.addReceived(1, 0)).isInstanceOf(IllegalArgumentException.class);

    TransportCcFeedback full = new TransportCcFeedback(SENDER, MEDIA, 0, 0);
    int added = 0;
    // alternating 100 ms up and down: every delta takes two bytes
    while (full.addReceived(added, (added % 2) * 100_000L)) {
      added++;
    }
    assertThat(added).isEqualTo(1 + (TransportCcFeedback.MAX_DELTA_BYTES - 1) / 2);
    assertThat(full.build().length).isLessThanOrEqualTo(1200);

    assertThatThrownBy(() -> new TransportCcFeedback(SENDER, MEDIA, 0, 0).build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void randomPatternsSurviveTheRoundTrip() {
    Random random = new Random(42);
    for (int round = 0; round < 500; round++) {
      int base = random.nextInt(65536);
      TransportCcFeedback fb = new TransportCcFeedback(SENDER, MEDIA, round, base);
      long time = random.nextInt(1 << 30);
      List<long[]> added = new ArrayList<>(); // offset, arrival
      int offset = 0;
      while (true) {
        // mostly in order with small gaps, sometimes loss bursts, reordering and long pauses
        int kind = random.nextInt(20);
        offset += kind == 0 ? 1 + random.nextInt(60) : kind < 4 ? 2 : 1;
        long step = kind == 1 ? -random.nextInt(30_000) : kind == 2 ? random.nextInt(200_000) : 600;
        long arrival = Math.max(0, time + step);
        if (!fb.addReceived(offset, arrival)) {
          break;
        }
        added.add(new long[] {offset, arrival});
        time = arrival;
      }
      TransportCcFeedbackDecoder.Feedback decoded = TransportCcFeedbackDecoder.decode(fb.build());
      assertThat(decoded.baseSequence()).isEqualTo(base);
      assertThat(decoded.feedbackCount()).isEqualTo(round & 0xFF);
      assertThat(decoded.statusCount()).isEqualTo((int) added.get(added.size() - 1)[0] + 1);
      List<TransportCcFeedbackDecoder.Status> received = decoded.received();
      assertThat(received).hasSize(added.size());
      for (int i = 0; i < added.size(); i++) {
        TransportCcFeedbackDecoder.Status s = received.get(i);
        assertThat(s.sequence()).isEqualTo((int) ((base + added.get(i)[0]) & 0xFFFF));
        // each arrival is rounded to its own tick: never more than half a tick off
        assertThat(Math.abs(s.arrivalMicros() - added.get(i)[1])).isLessThanOrEqualTo(125);
      }
    }
  }
}
