package io.openmeet.focus.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.openmeet.focus.text.InvalidTextException.Reason;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The human-text policy: what it refuses, how it normalises, how it counts. */
class HumanTextTest {

  /** Every refused code point, as the policy's Javadoc lists them. */
  static List<Integer> refusedCodePoints() {
    List<Integer> refused = new ArrayList<>();
    IntStream.rangeClosed(0x00, 0x1F).forEach(refused::add);
    IntStream.rangeClosed(0x7F, 0x9F).forEach(refused::add);
    refused.addAll(List.of(0x2028, 0x2029));
    IntStream.rangeClosed(0x202A, 0x202E).forEach(refused::add);
    IntStream.rangeClosed(0x2066, 0x2069).forEach(refused::add);
    refused.addAll(List.of(0x00AD, 0x061C, 0x200B, 0x200E, 0x200F, 0x2060, 0x2064, 0xFEFF));
    refused.addAll(List.of(0xE0001, 0xE0020, 0xE0041, 0xE007F));
    IntStream.rangeClosed(0xFDD0, 0xFDEF).forEach(refused::add);
    for (int plane = 0; plane <= 0x10; plane++) {
      refused.add(plane << 16 | 0xFFFE);
      refused.add(plane << 16 | 0xFFFF);
    }
    return refused;
  }

  @Test
  void every_listed_character_is_refused_wherever_it_stands() {
    for (int cp : refusedCodePoints()) {
      String c = new String(Character.toChars(cp));
      for (String text : List.of(c + "Ada", "A" + c + "da", "Ada" + c)) {
        var e =
            catchThrowableOfType(
                InvalidTextException.class, () -> HumanText.DISPLAY_NAME.normalize("name", text));
        assertThat(e).as("U+%04X in %s", cp, text.replace(c, "·")).isNotNull();
        assertThat(e.field()).isEqualTo("name");
        assertThat(e.reason()).isNotIn(Reason.BLANK, Reason.TOO_LONG);
        assertThat(e.getMessage()).contains(String.format("U+%04X", cp));
      }
    }
  }

  @Test
  void the_reason_and_the_position_say_what_and_where() {
    var e =
        catchThrowableOfType(
            InvalidTextException.class,
            () -> HumanText.DISPLAY_NAME.normalize("displayName", "Ad\u202Ea"));
    assertThat(e.reason()).isEqualTo(Reason.FORMAT_CHARACTER);
    assertThat(e.reason().code()).isEqualTo("format-character");
    assertThat(e.detail()).contains("U+202E").contains("position 3");
    // positions count code points, not UTF-16 units
    e =
        catchThrowableOfType(
            InvalidTextException.class,
            () -> HumanText.CHAT.normalize("text", "\uD83D\uDE00\uD83D\uDE00\u0007"));
    assertThat(e.reason()).isEqualTo(Reason.CONTROL_CHARACTER);
    assertThat(e.detail()).contains("position 3");
    e =
        catchThrowableOfType(
            InvalidTextException.class, () -> HumanText.CHAT.normalize("text", "a\uD800b"));
    assertThat(e.reason()).isEqualTo(Reason.LONE_SURROGATE);
    e =
        catchThrowableOfType(
            InvalidTextException.class, () -> HumanText.CHAT.normalize("text", "a\uDC00"));
    assertThat(e.reason()).isEqualTo(Reason.LONE_SURROGATE);
    e =
        catchThrowableOfType(
            InvalidTextException.class, () -> HumanText.ROOM_NAME.normalize("name", "x\uFDD0"));
    assertThat(e.reason().code()).isEqualTo("noncharacter");
  }

  @Test
  void text_is_trimmed_and_normalised_to_nfc() {
    assertThat(HumanText.DISPLAY_NAME.normalize("n", "  Ada Lovelace \u3000"))
        .isEqualTo("Ada Lovelace");
    assertThat(HumanText.DISPLAY_NAME.normalize("n", "Jose\u0301")).isEqualTo("José");
    assertThat(HumanText.DISPLAY_NAME.normalize("n", "\u212B"))
        .isEqualTo("\u00C5"); // Angstrom sign
  }

  @Test
  void scripts_and_emoji_that_need_joiners_are_accepted() {
    String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67"; // man ZWJ woman ZWJ girl
    assertThat(HumanText.DISPLAY_NAME.normalize("n", family)).isEqualTo(family);
    String persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"; // with ZWNJ
    assertThat(HumanText.DISPLAY_NAME.normalize("n", persian)).isEqualTo(persian);
    assertThat(HumanText.DISPLAY_NAME.normalize("n", "Zoë 李 \uE000")).isEqualTo("Zoë 李 \uE000");
  }

  @Test
  void blank_means_nothing_visible() {
    for (String blank : List.of("", "   ", "\u00A0\u2003", "\u200D", " \u200C ")) {
      var e =
          catchThrowableOfType(
              InvalidTextException.class, () -> HumanText.ROOM_NAME.normalize("name", blank));
      assertThat(e).as("'%s'", blank).isNotNull();
      assertThat(e.reason()).isEqualTo(Reason.BLANK);
    }
  }

  @Test
  void length_is_counted_in_code_points_after_normalisation() {
    String emoji = "\uD83D\uDE00"; // two UTF-16 units, one code point
    assertThat(HumanText.DISPLAY_NAME.normalize("n", emoji.repeat(64))).hasSize(128);
    var e =
        catchThrowableOfType(
            InvalidTextException.class,
            () -> HumanText.DISPLAY_NAME.normalize("n", emoji.repeat(65)));
    assertThat(e.reason()).isEqualTo(Reason.TOO_LONG);
    assertThat(e.detail()).contains("64").contains("65");
    // 64 letters with a combining accent each are 64 characters once composed
    assertThat(HumanText.DISPLAY_NAME.normalize("n", "e\u0301".repeat(64))).hasSize(64);
    assertThat(HumanText.CHAT.maxLength()).isEqualTo(4000);
    assertThat(HumanText.ROOM_NAME.maxLength()).isEqualTo(200);
  }

  @Property(tries = 5000)
  void whatever_comes_in_what_comes_out_is_safe(
      @ForAll("anyText") String text, @ForAll("kinds") HumanText kind) {
    String out;
    try {
      out = kind.normalize("f", text);
    } catch (InvalidTextException refused) {
      assertThat(refused.field()).isEqualTo("f");
      assertThat(refused.reason()).isNotNull();
      return;
    }
    assertThat(Normalizer.isNormalized(out, Normalizer.Form.NFC)).isTrue();
    assertThat(out).isEqualTo(out.strip()).isNotBlank();
    assertThat(out.codePointCount(0, out.length())).isLessThanOrEqualTo(kind.maxLength());
    out.codePoints()
        .forEach(
            cp -> {
              assertThat(HumanText.refused(cp)).as("U+%04X", cp).isNull();
              assertThat(refusedCodePoints()).doesNotContain(cp);
            });
  }

  @Property(tries = 2000)
  void one_refused_character_anywhere_refuses_the_text(
      @ForAll("safeText") String before,
      @ForAll("refused") int cp,
      @ForAll("safeText") String after) {
    String text = before + new String(Character.toChars(cp)) + after;
    var e =
        catchThrowableOfType(
            InvalidTextException.class, () -> HumanText.CHAT.normalize("text", text));
    assertThat(e).isNotNull();
    assertThat(e.detail())
        .contains(String.format("U+%04X", cp))
        .contains("position " + (before.codePointCount(0, before.length()) + 1));
  }

  @Provide
  Arbitrary<HumanText> kinds() {
    return Arbitraries.of(HumanText.class);
  }

  @Provide
  Arbitrary<Integer> refused() {
    return Arbitraries.of(refusedCodePoints());
  }

  @Provide
  Arbitrary<String> safeText() {
    return Arbitraries.of("A", "da", " ", "é", "ü", "李", "\uD83D\uDE00", "e\u0301")
        .list()
        .ofMaxSize(8)
        .map(parts -> String.join("", parts));
  }

  @Provide
  Arbitrary<String> anyText() {
    // all of UTF-16, lone surrogates included, weighted towards the interesting corners
    Arbitrary<Character> interesting =
        Arbitraries.of(
            '\u0000', '\u0007', '\t', '\n', '\u001B', '\u007F', '\u0085', '\u00AD', '\u200B',
            '\u200C', '\u200D', '\u202E', '\u2066', '\u2028', '\uFEFF', '\uFDD0', '\uFFFE',
            '\uFFFF', '\uD83D', '\uDE00', '\u0301', ' ', '\u00A0', 'a', 'Z', '李');
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Arbitraries.chars()), net.jqwik.api.Tuple.of(2, interesting))
        .list()
        .ofMaxSize(80)
        .map(
            chars -> {
              StringBuilder b = new StringBuilder();
              chars.forEach(b::append);
              return b.toString();
            });
  }
}
