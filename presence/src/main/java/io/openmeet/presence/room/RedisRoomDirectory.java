package io.openmeet.presence.room;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Open rooms as {@code room:{id}} hashes (string fields), the key layout in docs/ARCHITECTURE.md.
 */
public final class RedisRoomDirectory implements RoomDirectory {

  private final RedissonClient redis;

  public RedisRoomDirectory(RedissonClient redis) {
    this.redis = redis;
  }

  /** The Redis key of a room's hash. */
  public static String key(String roomId) {
    return "room:" + roomId;
  }

  @Override
  public void opened(RoomRecord room) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("id", room.id());
    fields.put("slug", room.slug());
    fields.put("name", room.name());
    fields.put("access", room.access());
    fields.put("maxParticipants", Integer.toString(room.maxParticipants()));
    fields.put("lobbyEnabled", Boolean.toString(room.lobbyEnabled()));
    fields.put("region", room.region());
    fields.put("createdAt", room.createdAt().toString());
    fields.put("accessVersion", Integer.toString(room.accessVersion()));
    // always written ("" = the deployment default), so an update can clear it
    fields.put("p2p", room.p2p() == null ? "" : room.p2p().toString());
    RMap<String, String> hash = map(room.id());
    // putAll is one HMSET: readers never see a half-written room; stale fields of an older version
    // cannot survive because every field is always written
    hash.putAll(fields);
  }

  @Override
  public void closed(String roomId) {
    map(roomId).delete();
  }

  @Override
  public Optional<RoomRecord> find(String roomId) {
    Map<String, String> f = map(roomId).readAllMap();
    if (f.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new RoomRecord(
            f.get("id"),
            f.get("slug"),
            f.get("name"),
            f.get("access"),
            Integer.parseInt(f.getOrDefault("maxParticipants", "0")),
            Boolean.parseBoolean(f.get("lobbyEnabled")),
            f.get("region"),
            Instant.parse(f.get("createdAt")),
            // hashes written before the field existed are version 0, like their rows
            Integer.parseInt(f.getOrDefault("accessVersion", "0")),
            f.getOrDefault("p2p", "").isEmpty() ? null : Boolean.valueOf(f.get("p2p"))));
  }

  private RMap<String, String> map(String roomId) {
    return redis.getMap(key(roomId), StringCodec.INSTANCE);
  }
}
