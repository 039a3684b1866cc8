package io.openmeet.presence.lobby;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The waiting rooms of rooms with a lobby, shared by every node: who waits (and on which node their
 * socket is), which moderators are present to let them in, and the lobby events every node hears.
 * Entries lapse unless the node holding the socket refreshes them, so a node that dies leaves no
 * waiter or moderator behind for long.
 */
public interface RoomLobby {

  /**
   * Someone waiting to be let in.
   *
   * @param id the waiter's id (not yet a participant id: admission gives it one)
   * @param displayName the name from the waiter's join token
   * @param nodeId the control-plane node holding the waiter's socket
   * @param since when the waiter knocked
   */
  record Waiter(String id, String displayName, String nodeId, Instant since) {}

  /** Puts a waiter in the room's lobby until {@code until} (refresh to keep it). */
  void enter(String roomId, Waiter waiter, Instant until);

  /** Keeps a waiter that is still waiting until {@code until}; nothing if it is gone. */
  void refresh(String roomId, String waiterId, Instant until);

  /**
   * Takes the waiter out of the lobby. Answers the waiter when it was there and had not lapsed at
   * {@code now}; of two callers racing for one waiter exactly one gets it.
   */
  Optional<Waiter> take(String roomId, String waiterId, Instant now);

  /** The waiters of a room at {@code now}, longest waiting first. */
  List<Waiter> waiters(String roomId, Instant now);

  /** Records a moderator present in the room's conference until {@code until} (refresh it). */
  void moderatorPresent(String roomId, String participantId, Instant until);

  /** The moderator left the conference. */
  void moderatorGone(String roomId, String participantId);

  /** Number of moderators present in the room at {@code now}. */
  int moderators(String roomId, Instant now);

  /** Sends an event to every node's subscriber (including this one); never blocks. */
  void publish(Event event);

  /** Starts delivering every node's events to {@code handler}; close the result to stop. */
  AutoCloseable subscribe(Consumer<Event> handler);

  /**
   * Something happened in a room's lobby.
   *
   * @param waiterId the waiter concerned; empty for {@link Kind#MODERATORS}
   * @param text the waiter's name for {@link Kind#KNOCKED}, why it left for {@link Kind#LEFT};
   *     otherwise empty
   * @param present for {@link Kind#MODERATORS}: whether a moderator is present now
   */
  record Event(Kind kind, String roomId, String waiterId, String text, boolean present) {

    /** What happened. */
    public enum Kind {
      /** A waiter entered the lobby. */
      KNOCKED,
      /** A waiter left the lobby: admitted, denied or gone (the text says which). */
      LEFT,
      /** The waiter was let in: the node holding its socket joins it to the conference. */
      ADMITTED,
      /** The waiter was turned away: the node holding its socket tells it and closes it. */
      DENIED,
      /** A moderator arrived, or the last one left. */
      MODERATORS
    }
  }
}
