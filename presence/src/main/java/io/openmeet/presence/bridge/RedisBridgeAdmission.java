package io.openmeet.presence.bridge;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Reservations as one sorted set per bridge ({@code <prefix>bridge:{id}:reservations}, member =
 * reservation id, score = time reserved). Choosing and reserving is one Lua script over the
 * candidates' snapshot hashes and sets, so concurrent joins on any number of nodes see each other's
 * reservations.
 */
public final class RedisBridgeAdmission implements BridgeAdmission {

  // KEYS: per candidate its snapshot hash and reservation set, tiers flattened in order.
  // ARGV: now, cost, maxLoad, maxAge, member, the hash field that must be '1' (accepts for a new
  // conference, joinable for an existing one), tier count, then each tier's size.
  private static final String RESERVE =
      """
      local now = tonumber(ARGV[1])
      local cost = tonumber(ARGV[2])
      local maxLoad = tonumber(ARGV[3])
      local maxAge = tonumber(ARGV[4])
      local member = ARGV[5]
      local field = ARGV[6]
      local tiers = tonumber(ARGV[7])
      local k = 1
      for t = 1, tiers do
        local n = tonumber(ARGV[7 + t])
        local best, bestLoad, bestSet
        for i = 1, n do
          local hash, set = KEYS[k], KEYS[k + 1]
          local idx = (k + 1) / 2
          k = k + 2
          local stress = redis.call('HGET', hash, 'stress')
          if stress and redis.call('HGET', hash, field) == '1' then
            redis.call('ZREMRANGEBYSCORE', set, '-inf', now - maxAge)
            local load = tonumber(stress) + redis.call('ZCARD', set) * cost
            if load + cost <= maxLoad + 1e-9 and (best == nil or load < bestLoad - 1e-9) then
              best, bestLoad, bestSet = idx, load, set
            end
          end
        end
        if best then
          redis.call('ZADD', bestSet, now, member)
          redis.call('PEXPIRE', bestSet, maxAge)
          return {best, tostring(bestLoad + cost)}
        end
      end
      return {0, '0'}
      """;

  private final RedissonClient redis;
  private final RedisBridgeStateStore store;
  private final Clock clock;
  private final double cost;
  private final Duration settle;
  private final Duration maxAge;

  /**
   * @param cost the load one reservation (one joining participant) adds, in stress units
   * @param settle how long after a reservation the bridge's stats are trusted to include it
   * @param maxAge a reservation is dropped after this even if no stats arrive
   */
  public RedisBridgeAdmission(
      RedissonClient redis,
      RedisBridgeStateStore store,
      Clock clock,
      double cost,
      Duration settle,
      Duration maxAge) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (!(cost > 0)) {
      throw new IllegalArgumentException("reservation cost must be positive, was " + cost);
    }
    this.cost = cost;
    this.settle = Objects.requireNonNull(settle, "settle");
    this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
  }

  String reservationsKey(String bridgeId) {
    return store.key(bridgeId) + ":reservations";
  }

  @Override
  public Optional<Reservation> reserve(
      List<List<String>> tiers, double maxLoad, boolean existingConference) {
    List<Object> keys = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    String member = UUID.randomUUID().toString();
    args.add(Long.toString(clock.millis()));
    args.add(Double.toString(cost));
    args.add(Double.toString(maxLoad));
    args.add(Long.toString(maxAge.toMillis()));
    args.add(member);
    args.add(existingConference ? RedisBridgeStateStore.JOINABLE : RedisBridgeStateStore.ACCEPTS);
    args.add(Integer.toString(tiers.size()));
    for (List<String> tier : tiers) {
      args.add(Integer.toString(tier.size()));
      for (String id : tier) {
        ids.add(id);
        keys.add(store.key(id));
        keys.add(reservationsKey(id));
      }
    }
    if (ids.isEmpty()) {
      return Optional.empty();
    }
    List<Object> result =
        redis
            .getScript(StringCodec.INSTANCE)
            .eval(RScript.Mode.READ_WRITE, RESERVE, RScript.ReturnType.LIST, keys, args.toArray());
    int index = (int) toLong(result.get(0));
    if (index == 0) {
      return Optional.empty();
    }
    return Optional.of(
        new Reservation(
            ids.get(index - 1), member, Double.parseDouble(String.valueOf(result.get(1)))));
  }

  @Override
  public void release(Reservation reservation) {
    redis
        .getScoredSortedSet(reservationsKey(reservation.bridgeId()), StringCodec.INSTANCE)
        .remove(reservation.id());
  }

  @Override
  public void statsRefreshed(String bridgeId, Instant statsReceivedAt) {
    long settledBefore = statsReceivedAt.minus(settle).toEpochMilli();
    redis
        .getScoredSortedSet(reservationsKey(bridgeId), StringCodec.INSTANCE)
        .removeRangeByScore(Double.NEGATIVE_INFINITY, true, settledBefore, false);
  }

  @Override
  public double reservedLoad(String bridgeId) {
    long now = clock.millis();
    var set = redis.getScoredSortedSet(reservationsKey(bridgeId), StringCodec.INSTANCE);
    return set.count(now - maxAge.toMillis(), false, Double.POSITIVE_INFINITY, true) * cost;
  }

  private static long toLong(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    return Long.parseLong(String.valueOf(value));
  }
}
