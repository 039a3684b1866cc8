package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderExtensionsTest {

  private static final String LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  private static final String ABS = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

  private static final HeaderExtensions JICOFO =
      new HeaderExtensions(
          Map.of(
              1, LEVEL,
              10, HeaderExtensions.MID,
              3, ABS,
              5, HeaderExtensions.TRANSPORT_CC,
              12, HeaderExtensions.RID));

  private static final byte[] PAYLOAD = {9, 8, 7, 6, 5};

  /** V=2, X=1, PT 100, the given extension block (profile, words) and PAYLOAD. */
  private static byte[] packet(int profile, int... elements) {
    int padded = (elements.length + 3) & ~3;
    byte[] p = new byte[12 + 4 + padded + PAYLOAD.length];
    p[0] = (byte) 0x90;
    p[1] = 100;
    p[3] = 7; // seq
    p[11] = 42; // ssrc
    p[12] = (byte) (profile >>> 8);
    p[13] = (byte) profile;
    p[15] = (byte) (padded / 4);
    for (int i = 0; i < elements.length; i++) {
      p[16 + i] = (byte) elements[i];
    }
    System.arraycopy(PAYLOAD, 0, p, 16 + padded, PAYLOAD.length);
    return p;
  }

  private static byte[] payloadOf(byte[] p) {
    int header = Rtp.headerLength(p, 0, p.length);
    return Arrays.copyOfRange(p, header, p.length);
  }

  @Test
  void midTransportCcAndRidAreDroppedTheRestKeptAsIs() {
    byte[] in =
        packet(
            0xBEDE, 0xA0, '1', // mid "1"
            0x51, 0x00, 0x2A, // transport-cc seq
            0x32, 0x01, 0x02, 0x03, // abs-send-time
            0xC0, 'h'); // rid "h"

    byte[] out = HeaderExtensions.rewrite(in, JICOFO, JICOFO);

    assertThat(out).isNotSameAs(in);
    assertThat(Rtp.findExtension(out, 0, out.length, 10)).isNegative();
    assertThat(Rtp.findExtension(out, 0, out.length, 5)).isNegative();
    assertThat(Rtp.findExtension(out, 0, out.length, 12)).isNegative();
    long abs = Rtp.findExtension(out, 0, out.length, 3);
    assertThat(abs & 0xFF).isEqualTo(3);
    int at = (int) (abs >>> 8);
    assertThat(Arrays.copyOfRange(out, at, at + 3)).containsExactly(1, 2, 3);
    assertThat((out[15] & 0xFF) * 4 + 16).isEqualTo(Rtp.headerLength(out, 0, out.length));
    assertThat(payloadOf(out)).isEqualTo(PAYLOAD);
    assertThat(Rtp.sequenceNumber(out, 0)).isEqualTo(7);
    assertThat(Rtp.ssrc(out, 0)).isEqualTo(42);
  }

  @Test
  void aPacketWithOnlyAMidLosesItsExtensionBlockAndXBit() {
    byte[] in = packet(0xBEDE, 0xA0, '0');

    byte[] out = HeaderExtensions.rewrite(in, JICOFO, JICOFO);

    assertThat(out[0] & 0x10).isZero();
    assertThat(out).hasSize(12 + PAYLOAD.length);
    assertThat(payloadOf(out)).isEqualTo(PAYLOAD);
  }

  @Test
  void idsAreRenumberedToTheReceiversAndUnknownOnesDropped() {
    HeaderExtensions receiver = new HeaderExtensions(Map.of(7, LEVEL));
    byte[] in = packet(0xBEDE, 0x10, 0x99, 0x32, 1, 2, 3);

    byte[] out = HeaderExtensions.rewrite(in, JICOFO, receiver);

    assertThat(Rtp.audioLevel(out, 0, out.length, 7)).isEqualTo(0x19);
    assertThat(Rtp.findExtension(out, 0, out.length, 1)).isNegative();
    assertThat(Rtp.findExtension(out, 0, out.length, 3)).isNegative();
    assertThat(payloadOf(out)).isEqualTo(PAYLOAD);
  }

  @Test
  void theTwoByteFormIsRewrittenInTheTwoByteForm() {
    byte[] in = packet(0x1000, (byte) 10, 1, '2', (byte) 3, 3, 4, 5, 6, 0);

    byte[] out = HeaderExtensions.rewrite(in, JICOFO, JICOFO);

    assertThat(((out[12] & 0xFF) << 8) | (out[13] & 0xFF)).isEqualTo(0x1000);
    assertThat(Rtp.findExtension(out, 0, out.length, 10)).isNegative();
    long abs = Rtp.findExtension(out, 0, out.length, 3);
    int at = (int) (abs >>> 8);
    assertThat(Arrays.copyOfRange(out, at, at + 3)).containsExactly(4, 5, 6);
    assertThat(payloadOf(out)).isEqualTo(PAYLOAD);
  }

  @Test
  void nothingToChangeGivesTheSameArray() {
    byte[] in = packet(0xBEDE, 0x32, 1, 2, 3);
    assertThat(HeaderExtensions.rewrite(in, JICOFO, JICOFO)).isSameAs(in);
    byte[] noExtension = {(byte) 0x80, 100, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42, 1, 2};
    assertThat(HeaderExtensions.rewrite(noExtension, JICOFO, HeaderExtensions.NONE))
        .isSameAs(noExtension);
  }

  @Test
  void aSenderWithoutNegotiatedExtensionsForwardsNone() {
    byte[] in = packet(0xBEDE, 0x32, 1, 2, 3);

    byte[] out = HeaderExtensions.rewrite(in, HeaderExtensions.NONE, JICOFO);

    assertThat(out[0] & 0x10).isZero();
    assertThat(payloadOf(out)).isEqualTo(PAYLOAD);
  }

  @Test
  void frameDescriptorsAreKeptOnAStreamButDroppedOnAProjectedSimulcastLayer() {
    HeaderExtensions video =
        new HeaderExtensions(Map.of(3, ABS, 11, HeaderExtensions.DEPENDENCY_DESCRIPTOR));
    byte[] in =
        packet(
            0xBEDE, 0xB2, 0x80, 0x01, 0x02, // dependency descriptor, 3 bytes
            0x32, 0x01, 0x02, 0x03); // abs-send-time

    assertThat(HeaderExtensions.rewrite(in, video, video)).isSameAs(in);
    byte[] projected = HeaderExtensions.rewrite(in, video, video, true);
    assertThat(Rtp.findExtension(projected, 0, projected.length, 11)).isNegative();
    assertThat(Rtp.findExtension(projected, 0, projected.length, 3)).isPositive();
    assertThat(payloadOf(projected)).isEqualTo(PAYLOAD);
  }
}
