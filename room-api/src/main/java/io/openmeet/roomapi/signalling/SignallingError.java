package io.openmeet.roomapi.signalling;

/**
 * The stable `code`s of signalling `error` frames (kebab-case words, documented in docs/API.md).
 */
public enum SignallingError {
  /** The frame is not a JSON object. */
  MALFORMED_JSON("malformed-json"),
  /** The frame's `type` is missing or not one the server knows. */
  UNKNOWN_TYPE("unknown-type"),
  /** A field is missing, of the wrong type or out of range; the message names it. */
  INVALID_MESSAGE("invalid-message"),
  /**
   * A display name or chat text breaks the human-text rules (control or formatting characters, too
   * long, blank); the message names the field, the character and its position.
   */
  INVALID_TEXT("invalid-text"),
  /** The frame exceeds the size limit; the socket is closed (1009). */
  FRAME_TOO_LARGE("frame-too-large"),
  /**
   * The message is not allowed in the session's current state (e.g. `answer` before any `offer`).
   */
  UNEXPECTED_MESSAGE("unexpected-message"),
  /** The join token is missing, malformed, forged or expired. */
  INVALID_TOKEN("invalid-token"),
  /**
   * The join token no longer admits: the room's access changed after it was issued (access mode,
   * password, closed), or a moderator removed its holder. A new token may work.
   */
  TOKEN_REVOKED("token-revoked"),
  /** The token was issued for another room. */
  WRONG_ROOM("wrong-room"),
  /** The room does not exist or is closed. */
  ROOM_NOT_FOUND("room-not-found"),
  /** The room has `max_participants` participants already. */
  ROOM_FULL("room-full"),
  /** The room's access policy refuses this participant (not invited). */
  NOT_ALLOWED("not-allowed"),
  /** The SDP answer or a trickled candidate could not be parsed, or does not match the offer. */
  INVALID_SDP("invalid-sdp"),
  /** Only moderators may do this. */
  NOT_MODERATOR("not-moderator"),
  /** Nobody with that id waits in the room's lobby (admitted, denied or gone already). */
  NOT_IN_LOBBY("not-in-lobby"),
  /** The room has no lobby (lobbyEnabled is false) and nobody waits in it. */
  NO_LOBBY("no-lobby"),
  /** No bridge could take the conference right now; retrying later may work. */
  NO_BRIDGE("no-bridge-available"),
  /** Too many frames in a short time. */
  RATE_LIMITED("rate-limited"),
  /** This address has too many signalling sockets open; the socket is closed (1008). */
  TOO_MANY_SOCKETS("too-many-sockets"),
  /** The socket did not join within the join timeout; it is closed (1008). */
  JOIN_TIMEOUT("join-timeout"),
  /** A peer-to-peer frame from a participant that is not in that P2P session. */
  NO_P2P_SESSION("no-p2p-session"),
  /**
   * Shared state (Redis) cannot be reached now: a join or lobby step cannot be made; the frame
   * carries `retryAfterMs`. A call already joined goes on.
   */
  SERVICE_UNAVAILABLE("service-unavailable"),
  /** Something failed on the server; the session may continue. */
  INTERNAL("internal-error");

  private final String code;

  SignallingError(String code) {
    this.code = code;
  }

  /** The wire code. */
  public String code() {
    return code;
  }
}
