package io.openmeet.focus.colibri;

/**
 * A Colibri2 request that did not succeed. The subclasses name the causes, and with them what the
 * caller does next (another bridge, a new conference, a new endpoint, later, or give up).
 */
public abstract sealed class ColibriException extends Exception
    permits BridgeFailedException,
        ConferenceNotFoundException,
        UnknownEndpointException,
        ColibriRejectedException,
        NoBridgeException,
        UnsendableRequestException {

  private final String bridgeId;

  ColibriException(String message, String bridgeId, Throwable cause) {
    super(message, cause);
    this.bridgeId = bridgeId;
  }

  /** The bridge that failed or answered, null when none was involved. */
  public String bridgeId() {
    return bridgeId;
  }
}
