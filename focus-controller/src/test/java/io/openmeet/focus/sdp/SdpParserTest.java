package io.openmeet.focus.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.sdp.SdpParseException.Reason;
import org.junit.jupiter.api.Test;

class SdpParserTest {

  private static final String MINIMAL =
      "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n";

  @Test
  void readsAMinimalDescriptionWithLfOrCrlf() throws Exception {
    SessionDescription crlf = SdpParser.parse(MINIMAL);
    SessionDescription lf = SdpParser.parse(MINIMAL.replace("\r\n", "\n"));
    assertThat(crlf).isEqualTo(lf);
    assertThat(crlf.sessionId()).isEqualTo("1");
    assertThat(crlf.sessionVersion()).isEqualTo(2);
    assertThat(crlf.media().get(0).mid()).contains("0");
    assertThat(crlf.media().get(0).formats()).containsExactly("111");
  }

  @Test
  void writerOutputParsesBackToTheSameModel() throws Exception {
    SessionDescription offer = SdpFixtures.newOffer(true).next(SdpFixtures.participant("bob", 1));
    SessionDescription reparsed = SdpParser.parse(SdpWriter.write(offer));
    assertThat(reparsed.media()).hasSameSizeAs(offer.media());
    for (int i = 0; i < offer.media().size(); i++) {
      assertThat(reparsed.media().get(i).attributes())
          .extracting(Attribute::render)
          .isEqualTo(offer.media().get(i).attributes().stream().map(Attribute::render).toList());
    }
  }

  @Test
  void malformedInputGivesTheReasonAndLine() {
    assertFails(null, Reason.EMPTY, 0);
    assertFails("  \r\n", Reason.EMPTY, 0);
    assertFails("v=1\r\n", Reason.BAD_VERSION, 1);
    assertFails("o=- 1 2 IN IP4 0.0.0.0\r\n", Reason.BAD_VERSION, 1);
    assertFails("v=0\r\nhello\r\n", Reason.BAD_LINE, 2);
    assertFails("v=0\r\nx=1\r\n", Reason.BAD_LINE, 2);
    assertFails("v=0\r\n\r\ns=-\r\n", Reason.BAD_LINE, 2);
    assertFails("v=0\r\ns=-\r\n", Reason.BAD_ORIGIN, 0);
    assertFails("v=0\r\no=- x 2 IN IP4 0.0.0.0\r\n", Reason.BAD_ORIGIN, 2);
    assertFails(MINIMAL.replace("m=audio 9 UDP", "m=audio 70000 UDP"), Reason.BAD_MEDIA_LINE, 5);
    assertFails(MINIMAL.replace(" 111\r\n", "\r\n"), Reason.BAD_MEDIA_LINE, 5);
    assertFails(MINIMAL + "a=:x\r\n", Reason.BAD_ATTRIBUTE, 7);
    assertFails(
        "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n" + "a=x\r\n".repeat(SdpParser.MAX_LINES),
        Reason.TOO_LARGE,
        0);
    assertFails("v=0\r\n" + "s=" + "x".repeat(SdpParser.MAX_LENGTH), Reason.TOO_LARGE, 0);
  }

  private static void assertFails(String sdp, Reason reason, int line) {
    assertThatThrownBy(() -> SdpParser.parse(sdp))
        .isInstanceOfSatisfying(
            SdpParseException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.line()).isEqualTo(line);
            });
  }
}
