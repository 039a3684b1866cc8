package io.openmeet.roomapi.lobby;

import io.openmeet.presence.lobby.RoomLobby;
import io.openmeet.presence.lobby.RoomLobby.Event;
import io.openmeet.presence.lobby.RoomLobby.Waiter;
import io.openmeet.presence.room.RoomDirectory;
import io.openmeet.presence.room.RoomRecord;
import io.openmeet.roomapi.audit.AuditEvent;
import io.openmeet.roomapi.audit.AuditLog;
import io.openmeet.roomapi.focus.FocusProducer;
import io.openmeet.roomapi.service.ApiException;
import io.openmeet.roomapi.service.RoomService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Room lobbies: a non-moderator joining a room with {@code lobbyEnabled} waits here until a
 * moderator admits or denies them, over signalling or REST, on any node. The shared state (waiters,
 * moderators present) is in Redis ({@link RoomLobby}); this node keeps only the sessions whose
 * sockets it holds, refreshes their entries, and hands them the lobby events every node hears.
 */
@ApplicationScoped
public class LobbyService {

  private static final Logger LOG = Logger.getLogger(LobbyService.class);

  /** Why a waiter left the lobby, as moderators are told in `lobby-left`. */
  public static final String ADMITTED = "admitted";

  public static final String DENIED = "denied";
  public static final String LEFT = "left";

  /** A waiter's session on this node: what the lobby tells it. Calls may block (they run apart). */
  public interface WaitingSession {
    /** Whether a moderator is present changed (or was re-announced). */
    void moderatorPresent(boolean present);

    /** A moderator let the waiter in: join the conference now. */
    void admitted();

    /** A moderator turned the waiter away: tell it and close. */
    void denied();
  }

  /** A moderator's session on this node: what it hears of the lobby. Must not block. */
  public interface ModeratorSession {
    /** Someone knocked. */
    void knocked(String waiterId, String displayName);

    /** A waiter left the lobby; {@code reason} is admitted, denied or left. */
    void left(String waiterId, String reason);
  }

  /** Who decides, for the audit log. */
  public record Actor(String name, String sourceAddress) {}

  private record LocalWaiter(String roomId, String id, WaitingSession session) {}

  private record LocalModerator(String roomId, String participantId, ModeratorSession session) {}

  private final RoomLobby lobby;
  private final RoomDirectory directory;
  private final RoomService rooms;
  private final AuditLog audit;
  private final String nodeId;
  private final Duration ttl;
  private final Clock clock = Clock.systemUTC();
  private final SecureRandom random = new SecureRandom();

  /** This node's waiters by waiter id (ids are random: unique across rooms). */
  private final Map<String, LocalWaiter> waiting = new ConcurrentHashMap<>();

  /** This node's moderators present, by room id. */
  private final Map<String, Set<LocalModerator>> moderating = new ConcurrentHashMap<>();

  // admission joins the conference (a bridge allocation): never on the Redis listener's thread
  private final ExecutorService callbacks =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "lobby-callback");
            t.setDaemon(true);
            return t;
          });
  // moderators' arrivals and departures, in order, off the callers' threads
  private final ExecutorService moderators =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "lobby-moderators");
            t.setDaemon(true);
            return t;
          });
  private ScheduledExecutorService refresher;
  private AutoCloseable subscription;

  LobbyService(
      RoomLobby lobby,
      RoomDirectory directory,
      RoomService rooms,
      AuditLog audit,
      FocusProducer focus,
      LobbyConfig config) {
    this.lobby = lobby;
    this.directory = directory;
    this.rooms = rooms;
    this.audit = audit;
    this.nodeId = focus.nodeId();
    this.ttl = config.entryTtl();
  }

  void start(@Observes StartupEvent event) {
    subscription = lobby.subscribe(this::onEvent);
    refresher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lobby-refresher");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(100, ttl.toMillis() / 3);
    refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent event) {
    if (refresher != null) {
      refresher.shutdownNow();
    }
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.debugf("lobby subscription close failed: %s", e);
      }
    }
    callbacks.shutdownNow();
    moderators.shutdownNow();
  }

  /** Whether the room makes non-moderators wait (false for a room that does not exist). */
  public boolean lobbyEnabled(UUID roomId) {
    Optional<RoomRecord> live = directory.find(roomId.toString());
    if (live.isPresent()) {
      return live.get().lobbyEnabled();
    }
    try {
      return QuarkusTransaction.joiningExisting()
          .call(() -> rooms.find(roomId.toString()).lobbyEnabled);
    } catch (ApiException e) {
      return false;
    }
  }

  /** Whether a moderator is in the room's conference now. */
  public boolean moderatorPresent(UUID roomId) {
    return lobby.moderators(roomId.toString(), clock.instant()) > 0;
  }

  /** The room's waiters, longest waiting first. */
  public List<Waiter> waiters(UUID roomId) {
    return lobby.waiters(roomId.toString(), clock.instant());
  }

  /**
   * Puts a waiter in the room's lobby and tells the moderators; answers the waiter's id. The
   * session hears from the lobby until it is admitted, denied or {@link #leave}s.
   */
  public String enter(UUID roomId, String displayName, WaitingSession session) {
    byte[] b = new byte[6];
    random.nextBytes(b);
    String id = "lobby-" + HexFormat.of().formatHex(b);
    Instant now = clock.instant();
    waiting.put(id, new LocalWaiter(roomId.toString(), id, session));
    lobby.enter(roomId.toString(), new Waiter(id, displayName, nodeId, now), now.plus(ttl));
    lobby.publish(new Event(Event.Kind.KNOCKED, roomId.toString(), id, displayName, false));
    return id;
  }

  /** The waiter's socket closed (or it sent `leave`): out of the lobby, and moderators are told. */
  public void leave(UUID roomId, String waiterId) {
    waiting.remove(waiterId);
    if (lobby.take(roomId.toString(), waiterId, clock.instant()).isPresent()) {
      lobby.publish(new Event(Event.Kind.LEFT, roomId.toString(), waiterId, LEFT, false));
    }
  }

  /**
   * A moderator is in the room's conference: it counts as present (waiters are told), hears of
   * knocks until the answer is closed, and hears of those waiting now as knocks too. Never blocks:
   * the Redis work runs on the lobby's own thread, in order.
   */
  public Presence moderatorArrived(UUID roomId, String participantId, ModeratorSession session) {
    String room = roomId.toString();
    var local = new LocalModerator(room, participantId, session);
    moderating.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(local);
    inOrder(
        () -> {
          lobby.moderatorPresent(room, participantId, clock.instant().plus(ttl));
          lobby.publish(new Event(Event.Kind.MODERATORS, room, "", "", true));
          lobby
              .waiters(room, clock.instant())
              .forEach(w -> session.knocked(w.id(), w.displayName()));
        });
    return new Presence(local);
  }

  /** A moderator's presence; closing it says the moderator left. */
  public final class Presence implements AutoCloseable {
    private final LocalModerator local;
    private boolean closed;

    private Presence(LocalModerator local) {
      this.local = local;
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      Set<LocalModerator> set = moderating.get(local.roomId());
      if (set != null) {
        set.remove(local);
      }
      inOrder(
          () -> {
            lobby.moderatorGone(local.roomId(), local.participantId());
            if (lobby.moderators(local.roomId(), clock.instant()) == 0) {
              lobby.publish(new Event(Event.Kind.MODERATORS, local.roomId(), "", "", false));
            }
          });
    }
  }

  /**
   * Lets a waiter in: it joins the conference on the node holding its socket.
   *
   * @throws LobbyException NOT_IN_LOBBY, or NO_LOBBY when the room has no lobby
   */
  public void admit(UUID roomId, String waiterId, Actor actor) throws LobbyException {
    decide(roomId, waiterId, actor, true);
  }

  /**
   * Turns a waiter away: it is told and its socket closed; its join token cannot knock again.
   *
   * @throws LobbyException NOT_IN_LOBBY, or NO_LOBBY when the room has no lobby
   */
  public void deny(UUID roomId, String waiterId, Actor actor) throws LobbyException {
    decide(roomId, waiterId, actor, false);
  }

  /**
   * Lets everyone waiting now in; answers their ids (possibly none).
   *
   * @throws LobbyException NO_LOBBY when the room has no lobby and nobody waits
   */
  public List<String> admitAll(UUID roomId, Actor actor) throws LobbyException {
    List<Waiter> now = lobby.waiters(roomId.toString(), clock.instant());
    if (now.isEmpty() && !lobbyEnabled(roomId)) {
      throw noLobby(roomId);
    }
    List<String> admitted = new ArrayList<>();
    for (Waiter w : now) {
      try {
        decide(roomId, w.id(), actor, true);
        admitted.add(w.id());
      } catch (LobbyException e) {
        // someone else decided on this waiter meanwhile, or it left: nothing to do
      }
    }
    return admitted;
  }

  private void decide(UUID roomId, String waiterId, Actor actor, boolean admit)
      throws LobbyException {
    String room = roomId.toString();
    Optional<Waiter> taken = lobby.take(room, waiterId, clock.instant());
    if (taken.isEmpty()) {
      if (!lobbyEnabled(roomId) && lobby.waiters(room, clock.instant()).isEmpty()) {
        throw noLobby(roomId);
      }
      throw new LobbyException(
          LobbyException.Reason.NOT_IN_LOBBY,
          "nobody with id " + shorten(waiterId) + " is waiting in this room's lobby");
    }
    lobby.publish(
        new Event(admit ? Event.Kind.ADMITTED : Event.Kind.DENIED, room, waiterId, "", false));
    lobby.publish(new Event(Event.Kind.LEFT, room, waiterId, admit ? ADMITTED : DENIED, false));
    audit.record(
        AuditEvent.of(
            actor.name(),
            admit ? AuditEvent.LOBBY_ADMIT : AuditEvent.LOBBY_DENY,
            roomId,
            waiterId,
            null,
            actor.sourceAddress()));
  }

  private static LobbyException noLobby(UUID roomId) {
    return new LobbyException(
        LobbyException.Reason.NO_LOBBY, "room " + roomId + " has no lobby (lobbyEnabled is false)");
  }

  private static String shorten(String id) {
    return id.length() <= 64 ? id : id.substring(0, 64) + "…";
  }

  private void onEvent(Event event) {
    switch (event.kind()) {
      case KNOCKED ->
          moderatorsOf(event.roomId())
              .forEach(m -> m.session().knocked(event.waiterId(), event.text()));
      case LEFT ->
          moderatorsOf(event.roomId())
              .forEach(m -> m.session().left(event.waiterId(), event.text()));
      case ADMITTED -> {
        LocalWaiter w = waiting.remove(event.waiterId());
        if (w != null && w.roomId().equals(event.roomId())) {
          callbacks.execute(() -> w.session().admitted());
        }
      }
      case DENIED -> {
        LocalWaiter w = waiting.remove(event.waiterId());
        if (w != null && w.roomId().equals(event.roomId())) {
          callbacks.execute(() -> w.session().denied());
        }
      }
      case MODERATORS -> {
        List<LocalWaiter> here =
            waiting.values().stream().filter(w -> w.roomId().equals(event.roomId())).toList();
        if (!here.isEmpty()) {
          callbacks.execute(
              () -> {
                // the event says what changed; the count in Redis says what holds now
                boolean present = lobby.moderators(event.roomId(), clock.instant()) > 0;
                here.forEach(w -> w.session().moderatorPresent(present));
              });
        }
      }
    }
  }

  private void inOrder(Runnable task) {
    try {
      moderators.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.warnf(e, "lobby bookkeeping of a moderator failed");
            }
          });
    } catch (RejectedExecutionException e) {
      // shutting down: the moderator's entry lapses on its own
      LOG.debugf("lobby bookkeeping skipped at shutdown");
    }
  }

  private Set<LocalModerator> moderatorsOf(String roomId) {
    return moderating.getOrDefault(roomId, Set.of());
  }

  private void refresh() {
    Instant until = clock.instant().plus(ttl);
    try {
      waiting.values().forEach(w -> lobby.refresh(w.roomId(), w.id(), until));
      moderating.forEach(
          (room, set) -> set.forEach(m -> lobby.moderatorPresent(room, m.participantId(), until)));
      moderating.values().removeIf(Set::isEmpty);
    } catch (RuntimeException e) {
      LOG.warnf("refreshing lobby entries failed (retried): %s", e.toString());
    }
  }
}
