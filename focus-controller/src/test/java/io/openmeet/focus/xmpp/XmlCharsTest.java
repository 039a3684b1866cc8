package io.openmeet.focus.xmpp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import javax.xml.parsers.DocumentBuilderFactory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.xml.sax.InputSource;

/** {@link XmlChars} agrees with a real XML 1.0 parser about what an attribute value may hold. */
class XmlCharsTest {

  @Test
  void controls_the_last_two_bmp_code_points_and_lone_surrogates_are_refused() {
    assertThat(XmlChars.firstInvalid("Ada")).isEqualTo(-1);
    assertThat(XmlChars.firstInvalid("A\u0007da")).isEqualTo(1);
    assertThat(XmlChars.firstInvalid("\u0000")).isZero();
    assertThat(XmlChars.firstInvalid("ab\uFFFE")).isEqualTo(2);
    assertThat(XmlChars.firstInvalid("ab\uFFFF")).isEqualTo(2);
    assertThat(XmlChars.firstInvalid("a\uD800b")).isEqualTo(1);
    assertThat(XmlChars.firstInvalid("a\uDC00")).isEqualTo(1);
    // what XML 1.0 can carry: TAB/LF/CR, DEL, C1, bidi controls, astral pairs
    assertThat(XmlChars.firstInvalid("\t\n\r\u007F\u0085\u202E\uD83D\uDE00\uFFFD")).isEqualTo(-1);
  }

  @Property(tries = 3000)
  void the_check_agrees_with_the_jdk_xml_parser(@ForAll("values") String value) throws Exception {
    String escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;");
    String doc = "<a v=\"" + escaped + "\"/>";
    boolean parses;
    try {
      DocumentBuilderFactory.newInstance()
          .newDocumentBuilder()
          .parse(new InputSource(new StringReader(doc)));
      parses = true;
    } catch (org.xml.sax.SAXParseException e) {
      parses = false;
    }
    assertThat(XmlChars.firstInvalid(value) < 0).as("%s", codes(value)).isEqualTo(parses);
  }

  @Provide
  Arbitrary<String> values() {
    Arbitrary<Character> corners =
        Arbitraries.of(
            '\u0000', '\u0008', '\t', '\n', '\u000B', '\r', '\u001F', ' ', '\u007F', '\u0085',
            '\uD7FF', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uE000', '\uFFFD', '\uFFFE',
            '\uFFFF', 'x');
    return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.chars()), Tuple.of(2, corners))
        .list()
        .ofMaxSize(6)
        .map(
            chars -> {
              StringBuilder b = new StringBuilder();
              chars.forEach(b::append);
              return b.toString();
            });
  }

  private static String codes(String s) {
    StringBuilder b = new StringBuilder();
    s.chars().forEach(c -> b.append(String.format("U+%04X ", c)));
    return b.toString();
  }
}
