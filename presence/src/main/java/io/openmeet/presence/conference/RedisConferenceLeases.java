package io.openmeet.presence.conference;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Leases as Redis strings {@code conference:{id}:lease = nodeId} with a TTL; renew and release
 * check the owner atomically in Lua so a node never extends or deletes a lease another node took
 * over.
 */
public final class RedisConferenceLeases implements ConferenceLeases {

  private static final String RENEW =
      "if redis.call('get', KEYS[1]) == ARGV[1] then "
          + "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
  private static final String RELEASE =
      "if redis.call('get', KEYS[1]) == ARGV[1] then "
          + "return redis.call('del', KEYS[1]) else return 0 end";

  private final RedissonClient redis;

  public RedisConferenceLeases(RedissonClient redis) {
    this.redis = redis;
  }

  /** The Redis key of a conference's lease. */
  public static String key(String conferenceId) {
    return "conference:" + conferenceId + ":lease";
  }

  @Override
  public Optional<Lease> tryAcquire(String conferenceId, String nodeId, Duration ttl) {
    boolean taken =
        redis.<String>getBucket(key(conferenceId), StringCodec.INSTANCE).setIfAbsent(nodeId, ttl);
    return taken ? Optional.of(new Lease(conferenceId, nodeId)) : Optional.empty();
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
                lease.nodeId(),
                Long.toString(ttl.toMillis()));
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
            lease.nodeId());
  }

  @Override
  public Optional<String> owner(String conferenceId) {
    return Optional.ofNullable(
        redis.<String>getBucket(key(conferenceId), StringCodec.INSTANCE).get());
  }
}
