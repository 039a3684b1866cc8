package io.openmeet.roomapi.signalling;

import io.openmeet.focus.conference.JoinRequest;

/**
 * Checks a `join` against the room in the socket's path: the token, the room and its access policy.
 */
public interface JoinAuthorizer {

  /**
   * Verifies the join token for the room named in the socket path (id or slug).
   *
   * @throws SignallingException INVALID_TOKEN, TOKEN_REVOKED, WRONG_ROOM, ROOM_NOT_FOUND,
   *     NOT_ALLOWED or INVALID_TEXT
   */
  JoinRequest authorize(String roomIdOrSlug, ClientMessage.Join join) throws SignallingException;

  /**
   * A moderator removed the participant that joined with {@code join}: its token (and user) may not
   * join the room again while the token lives.
   */
  default void kicked(String roomIdOrSlug, ClientMessage.Join join) {}

  /**
   * A moderator turned away the lobby waiter that joined with {@code join}: that token may not join
   * (nor knock) again while it lives; a new token from the token endpoint may knock again.
   */
  default void denied(String roomIdOrSlug, ClientMessage.Join join) {}
}
