package io.openmeet.focus.bridge;

/** No usable bridge has room for the join; retry later or tell the participant. */
public final class NoBridgeAvailableException extends Exception {

  public NoBridgeAvailableException(String message) {
    super(message);
  }

  public NoBridgeAvailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
