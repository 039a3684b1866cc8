package io.openmeet.focus.conference;

/** A refused focus request; the {@link Reason} says what the caller can do about it. */
public class FocusException extends Exception {

  /** Why the request was refused. */
  public enum Reason {
    /** The room is at its capacity. */
    ROOM_FULL,
    /** The room was closed (deleted) while the request was on its way. */
    ROOM_CLOSED,
    /** No healthy bridge can take the conference now; retry later. */
    NO_BRIDGE,
    /** The SDP could not be parsed or does not fit the offer. */
    INVALID_SDP,
    /**
     * The request does not fit the negotiation state (e.g. an answer with no offer outstanding).
     */
    UNEXPECTED,
    /** Only moderators may do this. */
    NOT_MODERATOR,
    /** No such participant in this conference. */
    UNKNOWN_PARTICIPANT,
    /** The request holds a value the focus will not pass on to the bridge (e.g. a control char). */
    INVALID_INPUT,
    /** A peer-to-peer frame from a participant that is not in that P2P session. */
    NO_P2P_SESSION,
    /**
     * Shared state (Redis) cannot be reached, so the request cannot be made safely now (a join);
     * retry in a few seconds. Calls already running go on.
     */
    UNAVAILABLE,
    /** The focus failed; the participant's session may continue. */
    INTERNAL
  }

  private final Reason reason;

  public FocusException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public FocusException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
