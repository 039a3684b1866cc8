package io.openmeet.litebridge.colibri2;

import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;
import org.jivesoftware.smack.packet.StanzaError;

/**
 * A Colibri2 request that must be answered with an error: the XMPP condition, JVB's colibri2 reason
 * (null when JVB sends none, e.g. bad-request) and, for unknown endpoints, the endpoint id.
 */
public final class Colibri2Exception extends Exception {
  private static final long serialVersionUID = 1L;

  private final StanzaError.Condition condition;
  private final transient Colibri2Error.Reason reason;
  private final String endpointId;

  public Colibri2Exception(
      StanzaError.Condition condition,
      Colibri2Error.Reason reason,
      String text,
      String endpointId) {
    super(text);
    this.condition = condition;
    this.reason = reason;
    this.endpointId = endpointId;
  }

  static Colibri2Exception badRequest(String text) {
    return new Colibri2Exception(StanzaError.Condition.bad_request, null, text, null);
  }

  static Colibri2Exception notImplemented(String text) {
    return new Colibri2Exception(
        StanzaError.Condition.feature_not_implemented,
        Colibri2Error.Reason.FEATURE_NOT_IMPLEMENTED,
        text,
        null);
  }

  public StanzaError.Condition condition() {
    return condition;
  }

  public Colibri2Error.Reason reason() {
    return reason;
  }

  public String endpointId() {
    return endpointId;
  }
}
