package io.openmeet.focus.colibri;

/**
 * A request holds a character XML 1.0 cannot carry, so it was not sent: sending it would make the
 * XMPP server close the focus's stream and fail every other conference on this node. Nothing
 * reached the bridge; the value came from the participant, who gets an error.
 */
public final class UnsendableRequestException extends ColibriException {

  public UnsendableRequestException(String message, String bridgeId) {
    super(message, bridgeId, null);
  }
}
