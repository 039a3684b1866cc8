package io.openmeet.focus.colibri;

import java.util.Optional;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;

/**
 * The bridge refused the request as such (bad request, unsupported feature, conflict): a bug or a
 * configuration mismatch, not a transient failure.
 */
public final class ColibriRejectedException extends ColibriException {

  private final String condition;
  private final Colibri2Error.Reason reason;

  public ColibriRejectedException(
      String message,
      String bridgeId,
      String condition,
      Colibri2Error.Reason reason,
      Throwable cause) {
    super(message, bridgeId, cause);
    this.condition = condition;
    this.reason = reason;
  }

  /** The XMPP error condition, e.g. {@code bad-request}. */
  public String condition() {
    return condition;
  }

  /** The colibri2 reason, when the bridge gave one. */
  public Optional<Colibri2Error.Reason> reason() {
    return Optional.ofNullable(reason);
  }
}
