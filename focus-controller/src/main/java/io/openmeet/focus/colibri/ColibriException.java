package io.openmeet.focus.colibri;

/**
 * A Colibri2 request that did not succeed; {@link #nextStep()} tells the caller what to do about
 * it. The subclasses name the causes.
 */
public abstract sealed class ColibriException extends Exception
    permits BridgeFailedException,
        ConferenceNotFoundException,
        UnknownEndpointException,
        ColibriRejectedException,
        NoBridgeException,
        UnsendableRequestException {

  /** What the caller should do next. */
  public enum NextStep {
    /** The bridge is gone, shutting down or not answering: move the conference to another one. */
    RETRY_ELSEWHERE,
    /** The bridge lost the conference (restart, expiry): create it again and re-invite everyone. */
    RECREATE_CONFERENCE,
    /** The bridge does not know the endpoint (it expired): allocate it again and re-offer. */
    REALLOCATE_ENDPOINT,
    /** No bridge can take the conference now: tell the participant and retry later. */
    RETRY_LATER,
    /** The bridge refused the request itself; retrying the same request cannot help. */
    GIVE_UP
  }

  private final String bridgeId;

  ColibriException(String message, String bridgeId, Throwable cause) {
    super(message, cause);
    this.bridgeId = bridgeId;
  }

  /** What to do next. */
  public abstract NextStep nextStep();

  /** The bridge that failed or answered, null when none was involved. */
  public String bridgeId() {
    return bridgeId;
  }
}
