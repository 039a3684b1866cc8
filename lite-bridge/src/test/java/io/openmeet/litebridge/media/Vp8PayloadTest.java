package io.openmeet.litebridge.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Vp8PayloadTest {

  @Test
  void readsPictureIdTl0AndTheKeyframeSize() {
    byte[] p = Vp8Packets.packet(7, 1, 2, 0x1234, 200, 2, true, true, 1280, 720, 5);
    Vp8Payload vp8 = Vp8Payload.parse(p, 0, p.length);
    assertThat(vp8.longPictureId()).isTrue();
    assertThat(vp8.pictureId()).isEqualTo(0x1234);
    assertThat(vp8.pictureIdOffset()).isEqualTo(14);
    assertThat(vp8.tl0PicIdx()).isEqualTo(200);
    assertThat(vp8.tl0PicIdxOffset()).isEqualTo(16);
    assertThat(vp8.temporalLayer()).isEqualTo(2);
    assertThat(vp8.keyframeStart()).isTrue();
    assertThat(vp8.width()).isEqualTo(1280);
    assertThat(vp8.height()).isEqualTo(720);
    assertThat(Rtp.isVp8KeyframeStart(p, 0, p.length)).isTrue();
  }

  @Test
  void deltaFramesAndContinuationsAreNoKeyframeStarts() {
    byte[] delta = Vp8Packets.packet(7, 1, 2, 5, 1, 0, true, false, 0, 0, 5);
    byte[] middle = Vp8Packets.packet(7, 1, 2, 5, 1, 0, false, false, 0, 0, 5);
    assertThat(Vp8Payload.parse(delta, 0, delta.length).keyframeStart()).isFalse();
    assertThat(Vp8Payload.parse(middle, 0, middle.length).keyframeStart()).isFalse();
    assertThat(Vp8Payload.parse(middle, 0, middle.length).height()).isZero();
  }

  @Test
  void rewritesPictureIdsOfEitherWidthAndTl0InPlace() {
    byte[] p = Vp8Packets.packet(7, 1, 2, 0x7FFF, 255, 0, true, false, 0, 0, 5);
    Vp8Payload vp8 = Vp8Payload.parse(p, 0, p.length);
    vp8.writePictureId(p, 0, 3);
    vp8.writeTl0PicIdx(p, 0, 4);
    Vp8Payload again = Vp8Payload.parse(p, 0, p.length);
    assertThat(again.pictureId()).isEqualTo(3);
    assertThat(again.longPictureId()).isTrue();
    assertThat(again.tl0PicIdx()).isEqualTo(4);

    byte[] shortId = Vp8Packets.packet(7, 1, 2, ~100, 1, 0, true, false, 0, 0, 5);
    Vp8Payload seven = Vp8Payload.parse(shortId, 0, shortId.length);
    assertThat(seven.longPictureId()).isFalse();
    assertThat(seven.pictureId()).isEqualTo(100);
    assertThat(seven.pictureIdModulus()).isEqualTo(128);
    seven.writePictureId(shortId, 0, 127);
    assertThat(Vp8Payload.parse(shortId, 0, shortId.length).pictureId()).isEqualTo(127);
  }

  @Test
  void truncatedDescriptorsAndPaddingOnlyPacketsAreRefused() {
    byte[] p = Vp8Packets.packet(7, 1, 2, 0x1234, 200, 2, true, true, 1280, 720, 0);
    for (int cut = 13; cut < 18; cut++) {
      assertThat(Vp8Payload.parse(p, 0, cut)).as("cut at %d", cut).isNull();
    }
    // a keyframe cut inside its header: still a keyframe start, size unknown
    Vp8Payload shortKey = Vp8Payload.parse(p, 0, 22);
    assertThat(shortKey.keyframeStart()).isTrue();
    assertThat(shortKey.height()).isZero();
    byte[] padding = new byte[12 + 8];
    padding[0] = (byte) 0xA0; // P=1
    padding[19] = 8;
    assertThat(Vp8Payload.parse(padding, 0, padding.length)).isNull();
  }
}
