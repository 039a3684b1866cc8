package io.openmeet.focus.colibri;

/**
 * The bridge did not answer in time, is shutting down, or failed internally. It has been reported
 * unhealthy; move its conferences to another bridge.
 */
public final class BridgeFailedException extends ColibriException {

  public BridgeFailedException(String message, String bridgeId, Throwable cause) {
    super(message, bridgeId, cause);
  }

  @Override
  public NextStep nextStep() {
    return NextStep.RETRY_ELSEWHERE;
  }
}
