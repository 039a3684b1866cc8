package io.openmeet.roomapi.lobby;

/** A lobby decision that cannot be made; the {@link Reason} says why. */
public class LobbyException extends Exception {

  /** Why the decision was refused. */
  public enum Reason {
    /** Nobody with that id is waiting in the room's lobby (admitted, denied or gone already). */
    NOT_IN_LOBBY,
    /** The room has no lobby (lobbyEnabled is false) and nobody waits. */
    NO_LOBBY
  }

  private final Reason reason;

  public LobbyException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
