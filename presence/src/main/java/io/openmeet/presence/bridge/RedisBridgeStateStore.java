package io.openmeet.presence.bridge;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Bridge snapshots as Redis hashes {@code <prefix>bridge:{id}} with a TTL, plus a set {@code
 * <prefix>bridges} indexing them (members whose hash expired are dropped on read).
 */
public final class RedisBridgeStateStore implements BridgeStateStore {

  static final String STRESS = "stress";
  static final String ACCEPTS = "accepts";
  static final String JOINABLE = "joinable";

  private final RedissonClient redis;
  private final String prefix;

  /**
   * @param prefix prepended to every key ({@code ""} in production, unique per test run)
   */
  public RedisBridgeStateStore(RedissonClient redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix == null ? "" : prefix;
  }

  /** The hash holding one bridge's snapshot. */
  public String key(String bridgeId) {
    return prefix + "bridge:" + bridgeId;
  }

  String indexKey() {
    return prefix + "bridges";
  }

  @Override
  public void put(BridgeSnapshot s, Duration ttl) {
    Map<String, String> fields = new HashMap<>();
    fields.put("id", s.id());
    fields.put("jid", s.jid());
    fields.put("region", s.region());
    fields.put("relayId", s.relayId());
    fields.put("version", s.version());
    fields.put(STRESS, Double.toString(s.stress()));
    fields.put("healthy", Boolean.toString(s.healthy()));
    fields.put("drain", Boolean.toString(s.drain()));
    fields.put("gracefulShutdown", Boolean.toString(s.gracefulShutdown()));
    fields.put("shuttingDown", Boolean.toString(s.shuttingDown()));
    fields.put("updatedAt", Long.toString(s.updatedAt().toEpochMilli()));
    fields.put("participants", Integer.toString(s.participants()));
    // Read by the admission script, which must not parse four booleans.
    fields.put(ACCEPTS, s.acceptsNewConferences() ? "1" : "0");
    fields.put(JOINABLE, s.acceptsJoinsToItsConferences() ? "1" : "0");
    // One MULTI/EXEC: readers (the admission script) never see the hash half-written, and it is
    // never left without its TTL.
    RBatch batch =
        redis.createBatch(
            BatchOptions.defaults().executionMode(BatchOptions.ExecutionMode.IN_MEMORY_ATOMIC));
    String key = key(s.id());
    batch.getKeys().deleteAsync(key);
    batch.getMap(key, StringCodec.INSTANCE).putAllAsync(fields);
    batch.getMap(key, StringCodec.INSTANCE).expireAsync(ttl);
    batch.getSet(indexKey(), StringCodec.INSTANCE).addAsync(s.id());
    batch.execute();
  }

  @Override
  public Optional<BridgeSnapshot> get(String bridgeId) {
    RMap<String, String> map = redis.getMap(key(bridgeId), StringCodec.INSTANCE);
    return decode(map.readAllMap());
  }

  @Override
  public List<BridgeSnapshot> all() {
    List<BridgeSnapshot> result = new ArrayList<>();
    for (Object member : redis.getSet(indexKey(), StringCodec.INSTANCE).readAll()) {
      String id = String.valueOf(member);
      Optional<BridgeSnapshot> s = get(id);
      if (s.isPresent()) {
        result.add(s.get());
      } else {
        redis.getSet(indexKey(), StringCodec.INSTANCE).remove(id);
      }
    }
    result.sort(Comparator.comparing(BridgeSnapshot::id));
    return result;
  }

  @Override
  public void remove(String bridgeId) {
    redis.getKeys().delete(key(bridgeId));
    redis.getSet(indexKey(), StringCodec.INSTANCE).remove(bridgeId);
  }

  private static Optional<BridgeSnapshot> decode(Map<String, String> f) {
    if (f.isEmpty() || f.get("id") == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new BridgeSnapshot(
              f.get("id"),
              f.getOrDefault("jid", ""),
              f.get("region"),
              f.get("relayId"),
              f.get("version"),
              Double.parseDouble(f.getOrDefault(STRESS, "0")),
              Boolean.parseBoolean(f.get("healthy")),
              Boolean.parseBoolean(f.get("drain")),
              Boolean.parseBoolean(f.get("gracefulShutdown")),
              Boolean.parseBoolean(f.get("shuttingDown")),
              Instant.ofEpochMilli(Long.parseLong(f.getOrDefault("updatedAt", "0"))),
              Integer.parseInt(f.getOrDefault("participants", "-1"))));
    } catch (IllegalArgumentException e) {
      // A hash not written by put (or by an older version): treat as unknown, never crash a join.
      return Optional.empty();
    }
  }
}
