package io.openmeet.focus.testing;

import io.openmeet.focus.colibri.Colibri2Messages;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Endpoint;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jitsi.xmpp.extensions.colibri2.Transport;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.IQ;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Asks a bridge over Colibri2 what it holds, so that tests see a bridge's state the same way on
 * lite-bridge and JVB (no peeking into either). Both requests change nothing on the bridge.
 */
public final class ColibriProbe {

  private final XMPPConnection xmpp;
  private final Jid bridge;

  public ColibriProbe(XMPPConnection xmpp, String occupantJid) throws Exception {
    this.xmpp = xmpp;
    this.bridge = JidCreate.from(occupantJid);
  }

  /**
   * Whether the bridge has the conference: expiring an endpoint nobody has is a no-op answered with
   * a result, in a conference the bridge does not have with {@code conference_not_found}.
   */
  public boolean conferenceExists(String meetingId) throws Exception {
    ConferenceModifyIQ.Builder b = request(meetingId);
    Colibri2Endpoint.Builder nobody = Colibri2Endpoint.getBuilder();
    nobody.setId("probe-nobody");
    nobody.setExpire(true);
    b.addEndpoint(nobody.build());
    try {
      return answer(b.build()) != Colibri2Error.Reason.CONFERENCE_NOT_FOUND;
    } catch (SmackException.NoResponseException e) {
      // JVB leaves a request for a conference it is expiring unanswered (seen twice: no answer and
      // nothing logged, right after the conference's last endpoint or the conference was expired):
      // not gone yet as far as we can tell; callers wait for "gone" and ask again.
      return true;
    }
  }

  /**
   * Whether the conference has the endpoint: an update with an empty {@code <transport/>} changes
   * nothing and is answered with a result for a known endpoint, {@code unknown_endpoint} otherwise.
   * (With no transport, media or sources at all, JVB ignores an unknown endpoint: a result either
   * way.)
   */
  public boolean endpointExists(String meetingId, String endpointId) throws Exception {
    ConferenceModifyIQ.Builder b = request(meetingId);
    Colibri2Endpoint.Builder nothing = Colibri2Endpoint.getBuilder();
    nothing.setId(endpointId);
    nothing.setTransport(Transport.getBuilder().build());
    b.addEndpoint(nothing.build());
    Colibri2Error.Reason reason = answer(b.build());
    if (reason == Colibri2Error.Reason.CONFERENCE_NOT_FOUND) {
      return false;
    }
    return reason != Colibri2Error.Reason.UNKNOWN_ENDPOINT;
  }

  /** A conference-modify to the bridge for {@code meetingId}, to fill in and {@link #answer}. */
  public ConferenceModifyIQ.Builder request(String meetingId) {
    ConferenceModifyIQ.Builder b = ConferenceModifyIQ.builder(xmpp);
    b.to(bridge);
    b.ofType(IQ.Type.get);
    b.setMeetingId(meetingId);
    return b;
  }

  /** Null for a result, the colibri2 reason of an error; an error without one fails. */
  public Colibri2Error.Reason answer(ConferenceModifyIQ request) throws Exception {
    try {
      xmpp.createStanzaCollectorAndSend(request).nextResultOrThrow(5000);
      return null;
    } catch (XMPPException.XMPPErrorException e) {
      Colibri2Error error =
          e.getStanzaError().getExtension(Colibri2Error.ELEMENT, Colibri2Error.NAMESPACE);
      if (error == null || error.getReason() == null) {
        throw new AssertionError(
            "the bridge answered a probe with "
                + e.getStanzaError().getCondition()
                + " and no colibri2 reason: "
                + Colibri2Messages.error(e.getStanzaError(), bridge.toString(), null, e),
            e);
      }
      return error.getReason();
    }
  }
}
