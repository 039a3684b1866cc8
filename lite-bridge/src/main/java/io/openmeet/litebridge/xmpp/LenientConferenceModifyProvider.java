package io.openmeet.litebridge.xmpp;

import java.io.IOException;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQProvider;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.IqData;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.parsing.SmackParsingException;
import org.jivesoftware.smack.provider.IqProvider;
import org.jivesoftware.smack.util.ParserUtils;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;

/**
 * Parses `conference-modify` with jitsi-xmpp-extensions' provider, but turns a request it rejects
 * (e.g. a missing meeting-id) into a {@link MalformedColibri2Iq} so the bridge can answer
 * bad-request, instead of Smack's default of closing the whole XMPP connection.
 */
final class LenientConferenceModifyProvider extends IqProvider<IQ> {
  private final ConferenceModifyIQProvider delegate = new ConferenceModifyIQProvider();

  @Override
  public IQ parse(XmlPullParser parser, int initialDepth, IqData data, XmlEnvironment env)
      throws XmlPullParserException, IOException {
    try {
      return delegate.parse(parser, initialDepth, data, env);
    } catch (SmackParsingException | RuntimeException e) {
      if (!(parser.getEventType() == XmlPullParser.Event.END_ELEMENT
          && parser.getDepth() == initialDepth)) {
        ParserUtils.forwardToEndTagOfDepth(parser, initialDepth);
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return new MalformedColibri2Iq(data, String.valueOf(cause.getMessage()));
    }
  }
}
