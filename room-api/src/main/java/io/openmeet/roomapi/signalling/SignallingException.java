package io.openmeet.roomapi.signalling;

/**
 * A request on the signalling socket that is answered with an `error` frame; the socket stays open.
 */
public class SignallingException extends Exception {
  private final SignallingError error;

  public SignallingException(SignallingError error, String message) {
    super(message);
    this.error = error;
  }

  public SignallingError error() {
    return error;
  }
}
