package io.openmeet.presence.room;

import java.util.Optional;

/**
 * The shared, reconstructible list of open rooms: written when a room opens, removed when it
 * closes.
 */
public interface RoomDirectory {

  /** Records (or replaces) an open room. */
  void opened(RoomRecord room);

  /** Forgets a room; closing a room that is not recorded does nothing. */
  void closed(String roomId);

  /** The recorded room, if it is open. */
  Optional<RoomRecord> find(String roomId);
}
