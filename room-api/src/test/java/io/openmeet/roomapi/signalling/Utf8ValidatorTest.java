package io.openmeet.roomapi.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The frame guard's UTF-8 check agrees with the JDK's strict decoder, whole or in pieces. */
class Utf8ValidatorTest {

  @Test
  void agrees_with_the_jdk_decoder_on_random_bytes_split_anywhere() {
    Random random = new Random(20261206L);
    byte[] interesting = {
      0x00,
      0x41,
      0x7F,
      (byte) 0x80,
      (byte) 0xBF,
      (byte) 0xC0,
      (byte) 0xC1,
      (byte) 0xC2,
      (byte) 0xDF,
      (byte) 0xE0,
      (byte) 0xA0,
      (byte) 0xED,
      (byte) 0x9F,
      (byte) 0xEF,
      (byte) 0xF0,
      (byte) 0x90,
      (byte) 0xF4,
      (byte) 0x8F,
      (byte) 0xF5,
      (byte) 0xFF
    };
    int valid = 0;
    for (int run = 0; run < 200_000; run++) {
      byte[] bytes = new byte[random.nextInt(9)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] =
            random.nextBoolean()
                ? interesting[random.nextInt(interesting.length)]
                : (byte) random.nextInt(256);
      }
      boolean expected = jdkAccepts(bytes);
      valid += expected ? 1 : 0;
      int cut = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
      Utf8Validator v = new Utf8Validator();
      boolean actual =
          v.accept(Unpooled.wrappedBuffer(bytes, 0, cut))
              && v.accept(Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut))
              && v.complete();
      assertThat(actual)
          .as(java.util.HexFormat.of().formatHex(bytes) + " cut at " + cut)
          .isEqualTo(expected);
    }
    // both outcomes were exercised
    assertThat(valid).isBetween(1000, 199_000);
  }

  @Test
  void well_formed_text_of_every_plane_passes() {
    String text = "ascii é 李 \uD83D\uDE00 \uDBFF\uDFFD \uFFFD";
    Utf8Validator v = new Utf8Validator();
    assertThat(v.accept(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)))).isTrue();
    assertThat(v.complete()).isTrue();
  }

  private static boolean jdkAccepts(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
