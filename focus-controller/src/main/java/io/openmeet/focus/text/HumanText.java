package io.openmeet.focus.text;

import io.openmeet.focus.text.InvalidTextException.Reason;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;

/**
 * The one validation policy for text people type and other people read. Text is refused when it
 * holds, anywhere:
 *
 * <ul>
 *   <li>a control character: Unicode Cc (U+0000..U+001F, U+007F..U+009F, so also TAB, LF, CR) and
 *       the line and paragraph separators U+2028, U+2029;
 *   <li>a format character (Unicode Cf as the running JDK knows it), except U+200C ZERO WIDTH
 *       NON-JOINER and U+200D ZERO WIDTH JOINER, which scripts (Persian, Indic) and emoji sequences
 *       need. So the bidi embeddings, overrides and isolates U+202A..U+202E and U+2066..U+2069, the
 *       marks U+200E, U+200F, U+061C, U+200B ZERO WIDTH SPACE, U+2060..U+2064, U+FEFF, U+00AD SOFT
 *       HYPHEN and the tag characters U+E0001, U+E0020..U+E007F are all refused;
 *   <li>a noncharacter: U+FDD0..U+FDEF and the last two code points of every plane;
 *   <li>a lone surrogate (half of a UTF-16 pair).
 * </ul>
 *
 * <p>Accepted text is stripped of surrounding white space and normalised to NFC, then must hold
 * something other than white space and joiners and be at most {@link #maxLength()} code points
 * long. Everything else of Unicode (private use, unassigned, combining marks) is accepted.
 */
public enum HumanText {
  /** A room's name. */
  ROOM_NAME(200),
  /** The name others see for a participant or a registered user. */
  DISPLAY_NAME(64),
  /** One chat message. */
  CHAT(4000);

  private static final int ZWNJ = 0x200C;
  private static final int ZWJ = 0x200D;

  private final int maxLength;

  HumanText(int maxLength) {
    this.maxLength = maxLength;
  }

  /** The most code points this kind of text may have after normalisation. */
  public int maxLength() {
    return maxLength;
  }

  /**
   * The text as it is stored, shown and passed on: without surrounding white space, in NFC.
   *
   * @param field the name of the field that holds the text, for the error
   * @throws InvalidTextException when the text breaks the policy
   */
  public String normalize(String field, String text) {
    Objects.requireNonNull(text, field);
    int position = 1;
    for (int i = 0; i < text.length(); position++) {
      int cp = text.codePointAt(i);
      Reason refused = refused(cp);
      if (refused != null) {
        throw new InvalidTextException(
            field, refused, describe(refused) + " " + codePoint(cp) + " at position " + position);
      }
      i += Character.charCount(cp);
    }
    String normalized = Normalizer.normalize(text.strip(), Normalizer.Form.NFC);
    if (isBlank(normalized)) {
      throw new InvalidTextException(field, Reason.BLANK, "must not be blank");
    }
    int length = normalized.codePointCount(0, normalized.length());
    if (length > maxLength) {
      throw new InvalidTextException(
          field, Reason.TOO_LONG, "must be at most " + maxLength + " characters, is " + length);
    }
    return normalized;
  }

  /** Why the policy refuses this code point anywhere in human text, or null when it does not. */
  static Reason refused(int cp) {
    int type = Character.getType(cp);
    if (type == Character.SURROGATE) {
      return Reason.LONE_SURROGATE; // codePointAt only yields a surrogate when it is unpaired
    }
    if (type == Character.CONTROL
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR) {
      return Reason.CONTROL_CHARACTER;
    }
    if (type == Character.FORMAT && cp != ZWNJ && cp != ZWJ) {
      return Reason.FORMAT_CHARACTER;
    }
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
      return Reason.NONCHARACTER;
    }
    return null;
  }

  private static boolean isBlank(String s) {
    return s.codePoints()
        .allMatch(
            cp ->
                Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == ZWNJ || cp == ZWJ);
  }

  private static String describe(Reason reason) {
    return switch (reason) {
      case CONTROL_CHARACTER -> "holds the control character";
      case FORMAT_CHARACTER -> "holds the invisible formatting character";
      case NONCHARACTER -> "holds the noncharacter";
      case LONE_SURROGATE -> "holds the lone surrogate";
      default -> "holds";
    };
  }

  private static String codePoint(int cp) {
    return String.format(Locale.ROOT, "U+%04X", cp);
  }
}
