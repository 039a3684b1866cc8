package io.openmeet.focus.colibri;

/**
 * The bridge did not answer in time, is shutting down, or failed internally: move the conference to
 * another bridge. Unless it only refused a new conference (graceful shutdown) or this node's XMPP
 * link is down, it has been reported unhealthy.
 */
public final class BridgeFailedException extends ColibriException {

  private final boolean bridgeUnhealthy;

  public BridgeFailedException(String message, String bridgeId, Throwable cause) {
    this(message, bridgeId, true, cause);
  }

  /**
   * @param bridgeUnhealthy false when the bridge is not at fault: it refuses new conferences
   *     (graceful shutdown), or the request never left this node; its running conferences stay
   */
  public BridgeFailedException(
      String message, String bridgeId, boolean bridgeUnhealthy, Throwable cause) {
    super(message, bridgeId, cause);
    this.bridgeUnhealthy = bridgeUnhealthy;
  }

  /** Whether the bridge should be taken out of service (not only for new conferences). */
  public boolean bridgeUnhealthy() {
    return bridgeUnhealthy;
  }
}
