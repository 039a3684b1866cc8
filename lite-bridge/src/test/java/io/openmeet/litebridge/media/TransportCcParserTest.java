package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reader of receivers' transport-cc feedback, against the independent test decoder on random
 * patterns, and on malformed packets; and the writer of the bridge's own transport-wide numbers.
 */
class TransportCcParserTest {

  @Test
  void readsWhatTheIndependentDecoderReads() {
    Random random = new Random(13);
    for (int round = 0; round < 300; round++) {
      int base = random.nextInt(65_536);
      TransportCcFeedback feedback = new TransportCcFeedback(1, 2, round, base);
      long time = random.nextInt(1 << 20) * 1_000L;
      int offset = 0;
      int added = 0;
      int wanted = 1 + random.nextInt(300);
      while (added < wanted) {
        offset += random.nextInt(10) < 7 ? 1 : 1 + random.nextInt(20); // runs and gaps
        time += random.nextInt(100) < 95 ? random.nextInt(20_000) : random.nextInt(2_000_000);
        if (!feedback.addReceived(offset, time)) {
          break;
        }
        added++;
      }
      byte[] packet = feedback.build();
      TransportCcFeedbackDecoder.Feedback expected = TransportCcFeedbackDecoder.decode(packet);
      TransportCcParser.Report report = TransportCcParser.parse(packet, 0, packet.length);
      assertThat(report).isNotNull();
      assertThat(report.baseSequence()).isEqualTo(expected.baseSequence());
      assertThat(report.feedbackCount()).isEqualTo(round & 0xFF);
      assertThat(report.count()).isEqualTo(expected.statusCount());
      for (int i = 0; i < report.count(); i++) {
        TransportCcFeedbackDecoder.Status status = expected.statuses().get(i);
        if (status.received()) {
          assertThat(report.arrivalMicros()[i]).isEqualTo(status.arrivalMicros());
        } else {
          assertThat(report.arrivalMicros()[i]).isEqualTo(TransportCcParser.LOST);
        }
      }
    }
  }

  @Test
  void refusesMalformedFeedbackWithoutThrowing() {
    TransportCcFeedback feedback = new TransportCcFeedback(1, 2, 0, 100);
    feedback.addReceived(0, 1_000);
    feedback.addReceived(3, 900_000); // a large delta
    byte[] good = feedback.build();
    assertThat(TransportCcParser.parse(good, 0, good.length)).isNotNull();
    // cut short: every shorter length is refused
    for (int len = 0; len < good.length; len++) {
      byte[] cut = java.util.Arrays.copyOf(good, good.length);
      assertThat(TransportCcParser.parse(cut, 0, len)).isNull();
    }
    // a status count far beyond the chunks
    byte[] many = good.clone();
    many[14] = (byte) 0xFF;
    assertThat(TransportCcParser.parse(many, 0, many.length)).isNull();
    // a run-length chunk of the reserved symbol 3
    byte[] reserved = good.clone();
    reserved[20] = (byte) 0x60;
    reserved[21] = (byte) 0x04;
    assertThat(TransportCcParser.parse(reserved, 0, reserved.length)).isNull();
    // not a transport-cc packet at all; an offset past the array
    byte[] nack = Rtp.nack(1, 2, new int[] {5});
    assertThat(TransportCcParser.parse(nack, 0, nack.length)).isNull();
    assertThat(TransportCcParser.parse(good, 8, good.length)).isNull();
    // random garbage never throws
    Random random = new Random(5);
    for (int i = 0; i < 2_000; i++) {
      byte[] junk = good.clone();
      junk[12 + random.nextInt(junk.length - 12)] = (byte) random.nextInt();
      TransportCcParser.parse(junk, 0, junk.length);
    }
  }

  private static byte[] rtp(boolean extension, int profile, byte[] elements, int payload) {
    int block = extension ? 4 + elements.length : 0;
    byte[] p = new byte[12 + block + payload];
    p[0] = (byte) (0x80 | (extension ? 0x10 : 0));
    p[1] = 100;
    Rtp.writeUint16(p, 2, 7);
    Rtp.writeUint32(p, 8, 0x1234);
    if (extension) {
      Rtp.writeUint16(p, 12, profile);
      Rtp.writeUint16(p, 14, elements.length / 4);
      System.arraycopy(elements, 0, p, 16, elements.length);
    }
    for (int i = 0; i < payload; i++) {
      p[12 + block + i] = (byte) (i + 1);
    }
    return p;
  }

  private static int transportSequence(byte[] p, int id) {
    long found = Rtp.findExtension(p, 0, p.length, id);
    assertThat(found).isNotNegative();
    int at = (int) (found >>> 8);
    assertThat(found & 0xFF).isEqualTo(2);
    return ((p[at] & 0xFF) << 8) | (p[at + 1] & 0xFF);
  }

  private static void assertPayloadKept(byte[] original, byte[] out, int payload) {
    for (int i = 0; i < payload; i++) {
      assertThat(out[out.length - payload + i]).isEqualTo(original[original.length - payload + i]);
    }
  }

  @Test
  void addsTheTransportSequenceNumberToEveryHeaderForm() {
    byte[] bare = rtp(false, 0, new byte[0], 30);
    byte[] out = TransportSequencer.withExtension(bare, 5, 0xBEEF);
    assertThat(out.length).isEqualTo(bare.length + 8);
    assertThat(transportSequence(out, 5)).isEqualTo(0xBEEF);
    assertPayloadKept(bare, out, 30);

    // one-byte block: audio level (id 1, 1 byte) and two padding bytes
    byte[] oneByte = rtp(true, 0xBEDE, new byte[] {0x10, (byte) 0x85, 0, 0}, 20);
    out = TransportSequencer.withExtension(oneByte, 5, 513);
    assertThat(transportSequence(out, 5)).isEqualTo(513);
    assertThat(Rtp.audioLevel(out, 0, out.length, 1)).isEqualTo(5);
    assertThat(out.length).isEqualTo(oneByte.length + 4); // 2+3 bytes fit in 8
    assertPayloadKept(oneByte, out, 20);

    // two-byte block: element id 20 of 3 bytes
    byte[] twoByte = rtp(true, 0x1000, new byte[] {20, 3, 9, 9, 9, 0, 0, 0}, 10);
    out = TransportSequencer.withExtension(twoByte, 30, 77);
    assertThat(transportSequence(out, 30)).isEqualTo(77);
    assertThat(Rtp.findExtension(out, 0, out.length, 20) & 0xFF).isEqualTo(3);
    assertPayloadKept(twoByte, out, 10);

    // an id a one-byte block cannot carry, a block that does not parse: left as they are
    assertThat(TransportSequencer.withExtension(oneByte, 15, 1)).isSameAs(oneByte);
    byte[] broken = rtp(true, 0xBEDE, new byte[] {0x13, 1, 2, 3}, 0); // element runs past the end
    assertThat(TransportSequencer.withExtension(broken, 5, 1)).isSameAs(broken);
  }
}
