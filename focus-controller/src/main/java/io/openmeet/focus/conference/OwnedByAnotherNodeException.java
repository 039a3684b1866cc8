package io.openmeet.focus.conference;

/**
 * The room's conference is hosted by another node (it holds the room's lease): relay the request to
 * {@link #owner()} instead of hosting the room a second time.
 */
public final class OwnedByAnotherNodeException extends FocusException {

  private final String owner;

  public OwnedByAnotherNodeException(String owner) {
    super(Reason.INTERNAL, "this room's conference is hosted by " + owner);
    this.owner = owner;
  }

  /** The node that holds the room's lease. */
  public String owner() {
    return owner;
  }
}
