package io.openmeet.focus.sdp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Mutated and random SDP must either read cleanly or fail with {@link SdpParseException}; any other
 * exception escaping the parser or the answer reader fails the property.
 */
class SdpFuzzTest {

  private static final String[] TOKENS = {
    " ",
    "  ",
    ":",
    "=",
    "\r\n",
    "\n",
    "\r",
    "\0",
    "a=",
    "m=",
    "-1",
    "0",
    "4294967296",
    "99999999999999999999",
    "a=ssrc:",
    "a=ssrc-group:FID ",
    "a=candidate:",
    "a=setup:",
    "typ",
    "raddr",
    "rport",
    "a=mid:0",
    "a=fingerprint:sha-256 ",
    "AB:",
    "/",
    "é",
    "\uD83D\uDE00"
  };

  @Property(tries = 3000)
  void mutatedChromiumAnswersNeverThrowAnythingButSdpParseException(
      @ForAll("mutatedAnswers") String sdp) {
    readBoth(sdp);
  }

  @Property(tries = 1000)
  void arbitraryTextNeverThrowsAnythingButSdpParseException(@ForAll("sdpLikeText") String sdp) {
    readBoth(sdp);
  }

  @Property(tries = 1000)
  void trickledCandidatesNeverThrowAnythingButSdpParseException(
      @ForAll("mutatedCandidates") String candidate) {
    try {
      IceCandidate.parse(candidate);
    } catch (SdpParseException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  private static void readBoth(String sdp) {
    try {
      SdpAnswer answer = SdpAnswer.parse(sdp);
      answer.sources("fuzz");
      SdpFixtures.newOffer(true).checkAnswer(answer);
    } catch (SdpParseException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @Provide
  Arbitrary<String> mutatedAnswers() {
    Arbitrary<String> base = Arbitraries.of(Resources.ANSWERS).map(Resources::sdp);
    Arbitrary<List<Mutation>> mutations = mutation().list().ofMinSize(1).ofMaxSize(6);
    return Combinators.combine(base, mutations)
        .as(
            (sdp, ms) -> {
              String s = sdp;
              for (Mutation m : ms) {
                s = m.apply(s);
              }
              return s;
            });
  }

  @Provide
  Arbitrary<String> sdpLikeText() {
    Arbitrary<String> token =
        Arbitraries.oneOf(
            Arbitraries.of(TOKENS),
            Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12),
            Arbitraries.strings().all().ofMaxLength(4));
    return token.list().ofMaxSize(60).map(l -> "v=0\r\n" + String.join("", l));
  }

  @Provide
  Arbitrary<String> mutatedCandidates() {
    String good =
        "candidate:3396024641 1 udp 1686052607 203.0.113.7 42652 typ srflx raddr 192.0.2.2 rport"
            + " 42652 generation 0 ufrag k1xI network-id 1";
    return mutation()
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .map(
            ms -> {
              String s = good;
              for (Mutation m : ms) {
                s = m.apply(s);
              }
              return s;
            });
  }

  private Arbitrary<Mutation> mutation() {
    Arbitrary<Double> at = Arbitraries.doubles().between(0, 1);
    Arbitrary<Mutation> delete =
        Combinators.combine(at, Arbitraries.integers().between(1, 40))
            .as((p, n) -> s -> cut(s, p, n, ""));
    Arbitrary<Mutation> insert =
        Combinators.combine(at, Arbitraries.of(TOKENS)).as((p, t) -> s -> cut(s, p, 0, t));
    Arbitrary<Mutation> replace =
        Combinators.combine(at, Arbitraries.integers().between(1, 8), Arbitraries.of(TOKENS))
            .as((p, n, t) -> s -> cut(s, p, n, t));
    Arbitrary<Mutation> truncate = at.map(p -> s -> s.substring(0, (int) (p * s.length())));
    Arbitrary<Mutation> shuffleLines =
        Combinators.combine(at, at)
            .as(
                (p, q) ->
                    s -> {
                      List<String> lines = new ArrayList<>(Arrays.asList(s.split("\r\n", -1)));
                      if (lines.size() < 2) {
                        return s;
                      }
                      int i = (int) (p * (lines.size() - 1));
                      int j = (int) (q * (lines.size() - 1));
                      String t = lines.get(i);
                      lines.set(i, lines.get(j));
                      lines.set(j, t);
                      return String.join("\r\n", lines);
                    });
    Arbitrary<Mutation> dropLine =
        at.map(
            p ->
                s -> {
                  List<String> lines = new ArrayList<>(Arrays.asList(s.split("\r\n", -1)));
                  lines.remove((int) (p * (lines.size() - 1)));
                  return String.join("\r\n", lines);
                });
    Arbitrary<Mutation> digits =
        Combinators.combine(at, Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(22))
            .as((p, d) -> s -> cut(s, p, 0, d));
    return Arbitraries.oneOf(delete, insert, replace, truncate, shuffleLines, dropLine, digits);
  }

  private static String cut(String s, double p, int len, String insert) {
    int from = (int) (p * s.length());
    int to = Math.min(s.length(), from + len);
    return s.substring(0, from) + insert + s.substring(to);
  }

  @FunctionalInterface
  private interface Mutation {
    String apply(String s);
  }
}
