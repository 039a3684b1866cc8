package io.openmeet.focus.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.openmeet.focus.xmpp.XmlChars;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * ICE candidates are held to their RFC 8839 grammar before any field can reach a bridge: addresses
 * are IP literals or host names, ports are ports, tcptype is one of three words, and skipped
 * extensions are visible ASCII. Fuzzed candidates either fail with {@link SdpParseException} or
 * parse into fields that keep that grammar.
 */
class CandidateGrammarTest {

  /** Candidates as Chrome, Firefox and Safari write them (trickled, without {@code a=}). */
  static final List<String> BROWSER_CANDIDATES =
      List.of(
          "candidate:842163049 1 udp 1677729535 203.0.113.7 52000 typ srflx raddr 0.0.0.0 rport 0"
              + " generation 0 ufrag AbCd network-cost 999",
          "candidate:1 1 udp 2122260223 192.168.1.2 54400 typ host generation 0 ufrag AbCd"
              + " network-id 1 network-cost 10",
          "candidate:3 1 tcp 1518280447 192.168.1.2 9 typ host tcptype active generation 0 ufrag"
              + " AbCd network-id 1",
          "candidate:4150393137 1 udp 2122260223 2c3e4f5a-1b2c-4d5e-8f90-a1b2c3d4e5f6.local 54321"
              + " typ host generation 0 ufrag AbCd network-cost 999",
          "candidate:1034266966 1 udp 2122267903 ::1 46539 typ host generation 0 network-id 4",
          "candidate:2 1 udp 2122197247 2001:db8:85a3::8a2e:370:7334 58012 typ host generation 0",
          "candidate:5 1 udp 2122197247 ::ffff:192.0.2.128 58012 typ host",
          "candidate:0 1 UDP 2122252543 192.168.1.2 49153 typ host",
          "candidate:2 1 TCP 2105524479 192.168.1.2 9 typ host tcptype active",
          "candidate:1 1 UDP 1686052863 198.51.100.4 49153 typ srflx raddr 192.168.1.2 rport 49153",
          "candidate:4 1 UDP 92217087 198.51.100.9 60000 typ relay raddr 198.51.100.9 rport 60000",
          "candidate:2 1 tcp 1518214911 192.168.1.2 50000 typ host tcptype passive",
          "candidate:2 2 udp 2122260222 192.168.1.2 54401 typ host generation 0");

  private static final Pattern IPV4 =
      Pattern.compile(
          "^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$");
  private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9A-Fa-f:.]+$");
  private static final Pattern HOST =
      Pattern.compile(
          "^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*$");

  @Test
  void candidates_as_browsers_write_them_are_accepted() throws Exception {
    for (String c : BROWSER_CANDIDATES) {
      IceCandidate parsed = IceCandidate.parse(c);
      assertThat(IceCandidate.parse("candidate:" + parsed.render())).isEqualTo(parsed);
      assertThat(IceCandidate.parse("a=" + c)).isEqualTo(parsed);
    }
  }

  @Test
  void the_largest_priority_rfc_8445_allows_is_accepted() throws Exception {
    assertThat(IceCandidate.parse("candidate:1 1 udp 2147483647 1.2.3.4 1 typ host").priority())
        .isEqualTo(2147483647L);
  }

  @Test
  void fields_that_break_their_grammar_are_refused() {
    String base = "candidate:1 1 udp 1686052863 198.51.100.4 49153 typ srflx";
    List<String> bad =
        List.of(
            base + " raddr 192.168.1.2\u0007 rport 1",
            base + " raddr 1.2.3.4:\u0007 rport 1",
            base + " raddr \uFFFF rport 1",
            base + " raddr 1.2.3.4.5 rport 1",
            base + " raddr 256.1.1.1 rport 1",
            base + " raddr 01.2.3.4 rport 1",
            base + " raddr <x/> rport 1",
            base + " raddr 1.2.3.4 rport 65536",
            base + " raddr 1.2.3.4 rport 1 raddr 5.6.7.8",
            base + " tcptype active\u0007",
            base + " tcptype \"/><iq",
            base + " tcptype actively",
            base + " ufrag a\u001Bb",
            base + " ufrag a\u0085b",
            base + " x\u0007 1",
            "candidate:1 1 udp 1 1.2.3.4:\u0007 1 typ host",
            "candidate:1 1 udp 1 ::1:\u0007 1 typ host",
            "candidate:1 1 udp 1 fe80::1%eth0 1 typ host",
            "candidate:1 1 udp 1 1::2::3 1 typ host",
            "candidate:1 1 udp 1 1:2:3:4:5:6:7:8:9 1 typ host",
            "candidate:1 1 udp 1 ::g 1 typ host",
            "candidate:1 1 udp 1 ::\u0663 1 typ host", // an Arabic-Indic digit is no hex digit
            "candidate:1 1 udp 1 host_name.local 1 typ host",
            "candidate:1 1 udp 1 -bad.local 1 typ host",
            "candidate:1 1 udp 1 999.1.1.1 1 typ host",
            "candidate:1 1 udp 1 a..b 1 typ host",
            "candidate:1 1 udp 1 " + "a".repeat(64) + ".local 1 typ host",
            "candidate:1 1 udp 1 1.2.3.4 1 typ host\u0000",
            // priorities above 2^31 - 1 (RFC 8445): a bridge cannot read them
            "candidate:1 1 udp 2147483648 1.2.3.4 1 typ host",
            "candidate:1 1 udp 4294967295 1.2.3.4 1 typ host");
    for (String c : bad) {
      var e = catchThrowableOfType(SdpParseException.class, () -> IceCandidate.parse(c));
      assertThat(e).as(c.replaceAll("\\p{Cntrl}", "·")).isNotNull();
      assertThat(e.reason())
          .isIn(SdpParseException.Reason.BAD_CANDIDATE, SdpParseException.Reason.BAD_LINE);
    }
  }

  @Test
  void an_answer_whose_candidate_hides_a_control_character_is_refused() throws Exception {
    String answer = Resources.sdp(Resources.ANSWERS[0]);
    String poisoned =
        answer.replace(
            "typ host generation 0 network-id 1",
            "typ srflx raddr 192.0.2.\u00079 rport 9 generation 0 network-id 1");
    assertThat(poisoned).isNotEqualTo(answer);
    var e = catchThrowableOfType(SdpParseException.class, () -> SdpAnswer.parse(poisoned));
    assertThat(e).isNotNull();
    // and one that hides it where the parser skips: an unknown extension, or the session name
    for (String hidden :
        List.of(
            answer.replace("network-id 1", "network-id 1\u0007"),
            answer.replaceFirst("s=-", "s=-\u0007"),
            answer.replaceFirst("s=-", "s=-\uFFFE"))) {
      assertThat(catchThrowableOfType(SdpParseException.class, () -> SdpAnswer.parse(hidden)))
          .isNotNull();
    }
    assertThat(SdpAnswer.parse(answer).transport().candidates()).isNotEmpty();
  }

  @Property(tries = 10_000)
  void fuzzed_candidates_are_refused_or_keep_the_grammar(@ForAll("fuzzedCandidates") String c) {
    IceCandidate parsed;
    try {
      parsed = IceCandidate.parse(c);
    } catch (SdpParseException refused) {
      return;
    }
    assertThat(isAddress(parsed.address())).as(parsed.address()).isTrue();
    assertThat(parsed.port()).isBetween(0, 65535);
    assertThat(parsed.protocol()).isIn("udp", "tcp");
    assertThat(parsed.type()).isIn("host", "srflx", "prflx", "relay");
    assertThat(parsed.foundation()).matches("[A-Za-z0-9+/]{1,32}");
    if (parsed.relatedAddress() != null) {
      assertThat(isAddress(parsed.relatedAddress())).as(parsed.relatedAddress()).isTrue();
      assertThat(parsed.relatedPort()).isBetween(0, 65535);
    }
    if (parsed.tcpType() != null) {
      assertThat(parsed.tcpType()).isIn("active", "passive", "so");
    }
    // everything that reaches the bridge is printable ASCII, so XML can always carry it
    String rendered = "candidate:" + parsed.render();
    assertThat(rendered.chars().allMatch(ch -> ch >= 0x20 && ch <= 0x7E)).as(rendered).isTrue();
    assertThat(XmlChars.firstInvalid(rendered)).isEqualTo(-1);
  }

  private static boolean isAddress(String a) {
    return IPV4.matcher(a).matches()
        || (a.contains(":") && IPV6_CHARS.matcher(a).matches())
        || (HOST.matcher(a).matches() && a.length() <= 253);
  }

  @Provide
  Arbitrary<String> fuzzedCandidates() {
    Arbitrary<String> base = Arbitraries.of(BROWSER_CANDIDATES);
    Arbitrary<String> insert =
        Arbitraries.oneOf(
            Arbitraries.of(
                "\u0007",
                "\u0000",
                "\u001B",
                "\u007F",
                "\u0085",
                "\uFFFF",
                "\uFFFE",
                "\uD800",
                ":",
                "::",
                ".",
                "%",
                "/",
                "<",
                ">",
                "\"",
                "'",
                "&",
                " ",
                "  ",
                "raddr ",
                "rport ",
                "tcptype ",
                "typ ",
                "so",
                "999",
                "-",
                "\u0663",
                "é",
                "\uD83D\uDE00"),
            Arbitraries.chars().map(String::valueOf),
            Arbitraries.strings().withCharRange('!', '~').ofMaxLength(6));
    Arbitrary<Edit> edit =
        Combinators.combine(
                Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(0, 6), insert)
            .as(Edit::new);
    return Combinators.combine(base, edit.list().ofMinSize(1).ofMaxSize(4))
        .as(
            (s, edits) -> {
              String out = s;
              for (Edit e : edits) {
                out = e.apply(out);
              }
              return out;
            });
  }

  /** Replaces {@code length} characters at a relative position with {@code text}. */
  private record Edit(double at, int length, String text) {
    String apply(String s) {
      int from = (int) (at * s.length());
      int to = Math.min(s.length(), from + length);
      return s.substring(0, from) + text + s.substring(to);
    }
  }
}
