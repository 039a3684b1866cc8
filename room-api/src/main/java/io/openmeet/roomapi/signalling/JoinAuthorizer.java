package io.openmeet.roomapi.signalling;

import io.openmeet.focus.conference.JoinRequest;

/**
 * Checks a `join` against the room in the socket's path: the token, the room and its access policy.
 */
public interface JoinAuthorizer {

  /**
   * Verifies the join token for the room named in the socket path (id or slug).
   *
   * @throws SignallingException INVALID_TOKEN, WRONG_ROOM, ROOM_NOT_FOUND or NOT_ALLOWED
   */
  JoinRequest authorize(String roomIdOrSlug, ClientMessage.Join join) throws SignallingException;
}
