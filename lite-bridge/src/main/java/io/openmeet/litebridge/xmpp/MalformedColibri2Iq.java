package io.openmeet.litebridge.xmpp;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.IqData;

/** A `conference-modify` request that could not be parsed; answered with bad-request. */
final class MalformedColibri2Iq extends IQ {
  private final String problem;

  MalformedColibri2Iq(IqData data, String problem) {
    super(data, "conference-modify", "jitsi:colibri2");
    this.problem = problem;
  }

  String problem() {
    return problem;
  }

  @Override
  protected IQChildElementXmlStringBuilder getIQChildElementBuilder(
      IQChildElementXmlStringBuilder xml) {
    xml.setEmptyElement();
    return xml;
  }
}
