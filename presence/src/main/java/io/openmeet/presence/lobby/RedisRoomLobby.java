package io.openmeet.presence.lobby;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.redisson.api.RMap;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lobbies in Redis: {@code room:{id}:lobby} holds the waiters (field: waiter id, value: {@code
 * until-ms TAB since-ms TAB node TAB name}), {@code room:{id}:lobby:moderators} the moderators
 * present (field: participant id, value: until-ms); both keys expire a day after their last write.
 * Events go over the pub/sub channel {@code lobby:events} as tab-separated fields (names are human
 * text: they hold no tab).
 */
public final class RedisRoomLobby implements RoomLobby {

  private static final Logger LOG = LoggerFactory.getLogger(RedisRoomLobby.class);

  /** The pub/sub channel every node listens on. */
  public static final String CHANNEL = "lobby:events";

  // a lobby nobody touched for this long is garbage (its entries lapsed long ago)
  private static final Duration KEY_TTL = Duration.ofDays(1);

  private final RedissonClient redis;

  public RedisRoomLobby(RedissonClient redis) {
    this.redis = redis;
  }

  /** The Redis key of a room's waiters. */
  public static String key(String roomId) {
    return "room:" + roomId + ":lobby";
  }

  /** The Redis key of a room's moderators present. */
  public static String moderatorsKey(String roomId) {
    return "room:" + roomId + ":lobby:moderators";
  }

  @Override
  public void enter(String roomId, Waiter waiter, Instant until) {
    RMap<String, String> map = waiters(roomId);
    map.fastPut(waiter.id(), encode(waiter, until));
    map.expire(KEY_TTL);
  }

  @Override
  public void refresh(String roomId, String waiterId, Instant until) {
    RMap<String, String> map = waiters(roomId);
    String old = map.get(waiterId);
    if (old != null) {
      Waiter w = decode(waiterId, old);
      // replace only the value read: a waiter taken meanwhile stays taken
      map.replace(waiterId, old, encode(w, until));
    }
  }

  @Override
  public Optional<Waiter> take(String roomId, String waiterId, Instant now) {
    String value = waiters(roomId).remove(waiterId);
    if (value == null || until(value) <= now.toEpochMilli()) {
      return Optional.empty();
    }
    return Optional.of(decode(waiterId, value));
  }

  @Override
  public List<Waiter> waiters(String roomId, Instant now) {
    List<Waiter> out = new ArrayList<>();
    for (Map.Entry<String, String> e : waiters(roomId).readAllMap().entrySet()) {
      if (until(e.getValue()) > now.toEpochMilli()) {
        out.add(decode(e.getKey(), e.getValue()));
      }
    }
    out.sort(Comparator.comparing(Waiter::since).thenComparing(Waiter::id));
    return out;
  }

  @Override
  public void moderatorPresent(String roomId, String participantId, Instant until) {
    RMap<String, String> map = moderatorMap(roomId);
    map.fastPut(participantId, Long.toString(until.toEpochMilli()));
    map.expire(KEY_TTL);
  }

  @Override
  public void moderatorGone(String roomId, String participantId) {
    moderatorMap(roomId).fastRemove(participantId);
  }

  @Override
  public int moderators(String roomId, Instant now) {
    int n = 0;
    for (String until : moderatorMap(roomId).readAllValues()) {
      if (Long.parseLong(until) > now.toEpochMilli()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void publish(Event event) {
    String message =
        String.join(
            "\t",
            event.kind().name(),
            event.roomId(),
            event.waiterId(),
            Boolean.toString(event.present()),
            event.text());
    topic()
        .publishAsync(message)
        .whenComplete(
            (n, e) -> {
              if (e != null) {
                LOG.warn("lobby event {} not published: {}", event.kind(), e.toString());
              }
            });
  }

  @Override
  public AutoCloseable subscribe(Consumer<Event> handler) {
    RTopic topic = topic();
    int id =
        topic.addListener(
            String.class,
            (channel, message) -> {
              Event event;
              try {
                event = decodeEvent(message);
              } catch (RuntimeException e) {
                LOG.warn("ignored a malformed lobby event: {}", e.toString());
                return;
              }
              try {
                handler.accept(event);
              } catch (RuntimeException e) {
                LOG.warn("lobby event {} failed", event.kind(), e);
              }
            });
    return () -> topic.removeListener(id);
  }

  static Event decodeEvent(String message) {
    String[] f = message.split("\t", 5);
    if (f.length != 5) {
      throw new IllegalArgumentException("expected 5 fields, got " + f.length);
    }
    return new Event(Event.Kind.valueOf(f[0]), f[1], f[2], f[4], Boolean.parseBoolean(f[3]));
  }

  private static String encode(Waiter w, Instant until) {
    return until.toEpochMilli()
        + "\t"
        + w.since().toEpochMilli()
        + "\t"
        + w.nodeId()
        + "\t"
        + w.displayName();
  }

  private static long until(String value) {
    return Long.parseLong(value.substring(0, value.indexOf('\t')));
  }

  private static Waiter decode(String id, String value) {
    String[] f = value.split("\t", 4);
    return new Waiter(id, f[3], f[2], Instant.ofEpochMilli(Long.parseLong(f[1])));
  }

  private RMap<String, String> waiters(String roomId) {
    return redis.getMap(key(roomId), StringCodec.INSTANCE);
  }

  private RMap<String, String> moderatorMap(String roomId) {
    return redis.getMap(moderatorsKey(roomId), StringCodec.INSTANCE);
  }

  private RTopic topic() {
    return redis.getTopic(CHANNEL, StringCodec.INSTANCE);
  }
}
