package io.openmeet.presence.conference;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Leases as Redis strings {@code conference:{id}:lease = <nodeId>#<epoch>} with a TTL, the epoch
 * counted up by {@code conference:{id}:epoch} on every acquire. Acquire, renew and release are Lua
 * scripts, so a node never extends or deletes a lease another node took over.
 */
public final class RedisConferenceLeases implements ConferenceLeases {

  private static final String ACQUIRE =
      "if redis.call('exists', KEYS[1]) == 1 then return 0 end "
          + "local epoch = redis.call('incr', KEYS[2]) "
          + "redis.call('pexpire', KEYS[2], ARGV[3]) "
          + "redis.call('set', KEYS[1], ARGV[1] .. '#' .. epoch, 'PX', ARGV[2]) "
          + "return epoch";
  private static final String RENEW =
      "if redis.call('get', KEYS[1]) == ARGV[1] then "
          + "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
  private static final String REASSERT =
      "local current = redis.call('get', KEYS[1]) "
          + "if current == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end "
          + "if current then return 0 end "
          + "local epoch = tonumber(redis.call('get', KEYS[2]) or '0') "
          + "if epoch > tonumber(ARGV[3]) then return 0 end "
          + "redis.call('set', KEYS[2], ARGV[3], 'PX', ARGV[4]) "
          + "redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
          + "return 1";
  private static final String RELEASE =
      "if redis.call('get', KEYS[1]) == ARGV[1] then "
          + "return redis.call('del', KEYS[1]) else return 0 end";

  /** The epoch counter outlives any lease by far; it only has to keep growing while in use. */
  private static final Duration EPOCH_TTL = Duration.ofDays(30);

  private final RedissonClient redis;

  public RedisConferenceLeases(RedissonClient redis) {
    this.redis = redis;
  }

  /** The Redis key of a conference's lease. */
  public static String key(String conferenceId) {
    return "conference:" + conferenceId + ":lease";
  }

  /** The Redis key of a conference's epoch counter. */
  public static String epochKey(String conferenceId) {
    return "conference:" + conferenceId + ":epoch";
  }

  @Override
  public Optional<Lease> tryAcquire(String conferenceId, String nodeId, Duration ttl) {
    Long epoch =
        redis
            .getScript(StringCodec.INSTANCE)
            .eval(
                RScript.Mode.READ_WRITE,
                ACQUIRE,
                RScript.ReturnType.LONG,
                List.of(key(conferenceId), epochKey(conferenceId)),
                nodeId,
                Long.toString(ttl.toMillis()),
                Long.toString(EPOCH_TTL.toMillis()));
    return epoch == null || epoch == 0L
        ? Optional.empty()
        : Optional.of(new Lease(conferenceId, nodeId, epoch));
  }

  @Override
  public boolean renew(Lease lease, Duration ttl) {
    Long result =
        redis
            .getScript(StringCodec.INSTANCE)
            .eval(
                RScript.Mode.READ_WRITE,
                RENEW,
                RScript.ReturnType.LONG,
                List.of(key(lease.conferenceId())),
                lease.token(),
                Long.toString(ttl.toMillis()));
    return result != null && result == 1L;
  }

  @Override
  public boolean reassert(Lease lease, Duration ttl) {
    Long result =
        redis
            .getScript(StringCodec.INSTANCE)
            .eval(
                RScript.Mode.READ_WRITE,
                REASSERT,
                RScript.ReturnType.LONG,
                List.of(key(lease.conferenceId()), epochKey(lease.conferenceId())),
                lease.token(),
                Long.toString(ttl.toMillis()),
                Long.toString(lease.epoch()),
                Long.toString(EPOCH_TTL.toMillis()));
    return result != null && result == 1L;
  }

  @Override
  public void release(Lease lease) {
    redis
        .getScript(StringCodec.INSTANCE)
        .eval(
            RScript.Mode.READ_WRITE,
            RELEASE,
            RScript.ReturnType.LONG,
            List.of(key(lease.conferenceId())),
            lease.token());
  }

  @Override
  public Optional<String> owner(String conferenceId) {
    return Optional.ofNullable(
            redis.<String>getBucket(key(conferenceId), StringCodec.INSTANCE).get())
        .map(Lease::nodeOf);
  }
}
