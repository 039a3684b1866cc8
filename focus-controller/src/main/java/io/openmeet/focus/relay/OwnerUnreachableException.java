package io.openmeet.focus.relay;

import io.openmeet.focus.conference.FocusException;

/**
 * The node that owns the room did not take or answer a relayed request (it stopped, or Redis is cut
 * off): retry; once its lease lapses, the next join hosts the room on the node it lands on.
 */
public final class OwnerUnreachableException extends FocusException {

  private final String owner;

  public OwnerUnreachableException(String owner, String message) {
    super(Reason.INTERNAL, message);
    this.owner = owner;
  }

  /** The node that holds the room's lease. */
  public String owner() {
    return owner;
  }
}
