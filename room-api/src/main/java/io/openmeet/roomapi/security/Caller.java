package io.openmeet.roomapi.security;

import io.openmeet.roomapi.entity.Room;

/**
 * Who is calling, read from a verified token (or nobody). Tokens follow Jitsi's format: {@code
 * room} is the room slug a join token is for, or {@code *} for a user token; {@code context.user}
 * names the person; {@code moderator} and the {@code admin} group grant rights.
 *
 * @param userId {@code context.user.id}, or null
 * @param roomScope the {@code room} claim, or null
 * @param roomId the {@code roomId} claim of our own join tokens, or null
 */
public record Caller(
    boolean authenticated,
    boolean admin,
    String userId,
    String email,
    String name,
    String roomScope,
    String roomId,
    boolean moderator) {

  /** The caller without a token. */
  public static final Caller ANONYMOUS =
      new Caller(false, false, null, null, null, null, null, false);

  /** The {@code room} claim of a token that is valid for every room. */
  public static final String ANY_ROOM = "*";

  /** A token that stands for a person rather than for one room: an administrator or user token. */
  public boolean isUserToken() {
    return authenticated && ANY_ROOM.equals(roomScope) && userId != null;
  }

  /** Whether this caller may change, close, invite to, or read the call history of {@code room}. */
  public boolean mayManage(Room room) {
    if (admin) {
      return true;
    }
    if (isUserToken() && room.createdBy != null && room.createdBy.toString().equals(userId)) {
      return true;
    }
    return moderator && isFor(room);
  }

  /** Whether this is a join token for exactly {@code room} (a token for another room is not). */
  public boolean isFor(Room room) {
    return authenticated
        && room.slug.equals(roomScope)
        && (roomId == null || roomId.equals(room.id.toString()));
  }
}
