package io.openmeet.litebridge.colibri2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.jitsi.xmpp.extensions.jingle.CandidateType;
import org.jitsi.xmpp.extensions.jingle.IceCandidatePacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jivesoftware.smack.packet.StanzaError;
import org.junit.jupiter.api.Test;

/** A candidate whose numbers are no ints is a bad request, not a failure of the bridge. */
class Colibri2TranslationTest {

  private static IceUdpTransportPacketExtension transport(String priority) {
    IceCandidatePacketExtension c = new IceCandidatePacketExtension();
    c.setFoundation("1");
    c.setComponent(1);
    c.setProtocol("udp");
    c.setAttribute("priority", priority);
    c.setIP("127.0.0.1");
    c.setPort(40000);
    c.setType(CandidateType.host);
    c.setGeneration(0);
    IceUdpTransportPacketExtension t = new IceUdpTransportPacketExtension();
    t.setUfrag("ufrag");
    t.setPassword("password-password-pass");
    t.addCandidate(c);
    return t;
  }

  @Test
  void a_priority_beyond_an_int_is_a_bad_request() throws Exception {
    // was a NumberFormatException and internal-server-error (found by the fuzzer)
    for (String priority : new String[] {"4294967295", "2147483648", "x"}) {
      Colibri2Exception e =
          catchThrowableOfType(
              Colibri2Exception.class, () -> Colibri2Translation.remote(transport(priority)));
      assertThat(e).as(priority).isNotNull();
      assertThat(e.condition()).isEqualTo(StanzaError.Condition.bad_request);
    }
  }

  @Test
  void an_ordinary_candidate_is_read() throws Exception {
    assertThat(Colibri2Translation.remote(transport("2122260223")).candidates())
        .singleElement()
        .satisfies(c -> assertThat(c.priority()).isEqualTo(2122260223L));
  }
}
