package io.openmeet.focus.colibri;

/** The bridge has no such endpoint (it expired it): allocate the endpoint again. */
public final class UnknownEndpointException extends ColibriException {

  private final String endpointId;

  public UnknownEndpointException(
      String message, String bridgeId, String endpointId, Throwable cause) {
    super(message, bridgeId, cause);
    this.endpointId = endpointId;
  }

  /** The endpoint the bridge named, or the one the request was about. */
  public String endpointId() {
    return endpointId;
  }
}
