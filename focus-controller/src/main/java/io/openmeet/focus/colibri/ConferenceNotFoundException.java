package io.openmeet.focus.colibri;

/** The bridge has no such conference (it restarted or expired it): create it again. */
public final class ConferenceNotFoundException extends ColibriException {

  public ConferenceNotFoundException(String message, String bridgeId, Throwable cause) {
    super(message, bridgeId, cause);
  }
}
