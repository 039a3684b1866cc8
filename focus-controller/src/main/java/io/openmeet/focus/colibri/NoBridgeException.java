package io.openmeet.focus.colibri;

/** No usable bridge has room for the conference now. */
public final class NoBridgeException extends ColibriException {

  public NoBridgeException(String message, Throwable cause) {
    super(message, null, cause);
  }
}
