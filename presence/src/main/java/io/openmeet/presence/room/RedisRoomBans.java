package io.openmeet.presence.room;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Bans as one hash per room, {@code room:{id}:bans}: fields {@code token:<id>} and {@code
 * user:<id>}, each holding the epoch second its ban ends; the hash expires with its longest ban. A
 * check is one HMGET.
 */
public final class RedisRoomBans implements RoomBans {

  private final RedissonClient redis;

  public RedisRoomBans(RedissonClient redis) {
    this.redis = redis;
  }

  /** The Redis key of a room's bans. */
  public static String key(String roomId) {
    return "room:" + roomId + ":bans";
  }

  @Override
  public void ban(String roomId, String tokenId, String userId, Instant until) {
    RMap<String, String> bans = map(roomId);
    String end = Long.toString(until.getEpochSecond());
    for (String field : fields(tokenId, userId)) {
      String old = bans.get(field);
      // two kicks at once may race here; both end near the token's expiry, so either is fine
      if (old == null || Long.parseLong(old) < until.getEpochSecond()) {
        bans.fastPut(field, end);
      }
    }
    long ttl = Duration.between(Instant.now(), until).toMillis();
    if (ttl > 0 && bans.remainTimeToLive() < ttl) {
      bans.expire(Duration.ofMillis(ttl));
    }
  }

  @Override
  public boolean banned(String roomId, String tokenId, String userId, Instant now) {
    Set<String> fields = fields(tokenId, userId);
    if (fields.isEmpty()) {
      return false;
    }
    Map<String, String> found = map(roomId).getAll(fields);
    for (String end : found.values()) {
      if (end != null && Long.parseLong(end) > now.getEpochSecond()) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> fields(String tokenId, String userId) {
    Set<String> fields = new LinkedHashSet<>();
    if (tokenId != null) {
      fields.add("token:" + tokenId);
    }
    if (userId != null) {
      fields.add("user:" + userId);
    }
    return fields;
  }

  private RMap<String, String> map(String roomId) {
    return redis.getMap(key(roomId), StringCodec.INSTANCE);
  }
}
