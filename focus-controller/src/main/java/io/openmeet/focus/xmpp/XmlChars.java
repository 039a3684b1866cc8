package io.openmeet.focus.xmpp;

/**
 * The characters XML 1.0 can carry ({@code Char} of the XML 1.0 specification, section 2.2). Smack
 * escapes markup but passes every other character through, and an XMPP server closes the whole
 * stream (not-well-formed) on one it cannot parse: anything sent must pass this check first.
 */
public final class XmlChars {

  private XmlChars() {}

  /**
   * The index of the first UTF-16 unit that does not start an XML 1.0 character (a C0 control other
   * than TAB, LF and CR, U+FFFE, U+FFFF, or a lone surrogate), or -1 when there is none.
   */
  public static int firstInvalid(CharSequence text) {
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c < 0xD800) {
        continue;
      }
      if (c == 0x9 || c == 0xA || c == 0xD || (c >= 0xE000 && c <= 0xFFFD)) {
        continue;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++; // a pair: U+10000..U+10FFFF, all allowed
        continue;
      }
      return i;
    }
    return -1;
  }
}
