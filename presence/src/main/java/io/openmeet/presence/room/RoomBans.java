package io.openmeet.presence.room;

import java.time.Instant;

/**
 * Who may not join a room again for a while (a participant a moderator removed): by token id and by
 * user id, until a given time. Shared by every node, like the rooms themselves.
 */
public interface RoomBans {

  /**
   * Bans the token and the user from the room until {@code until}; either id may be null. Banning
   * again extends nothing that lasts longer already.
   */
  void ban(String roomId, String tokenId, String userId, Instant until);

  /** Whether the token or the user is banned from the room at {@code now}; null ids never are. */
  boolean banned(String roomId, String tokenId, String userId, Instant now);
}
