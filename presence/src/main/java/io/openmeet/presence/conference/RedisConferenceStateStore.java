package io.openmeet.presence.conference;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Conference state as the Redis string {@code conference:{id}:state}, next to the lease it is
 * fenced by: each write is a Lua script that first checks the lease key still holds the writer's
 * {@code <nodeId>#<epoch>}. The state expires a day after its last write, so a conference whose end
 * was never recorded (Redis down at that moment) does not linger for ever.
 */
public final class RedisConferenceStateStore implements ConferenceStateStore {

  private static final String WRITE =
      "if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end "
          + "redis.call('set', KEYS[2], ARGV[2], 'PX', ARGV[3]) return 1";
  private static final String END =
      "if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end "
          + "redis.call('del', KEYS[2]) redis.call('del', KEYS[1]) return 1";

  private static final Duration STATE_TTL = Duration.ofDays(1);

  private final RedissonClient redis;

  public RedisConferenceStateStore(RedissonClient redis) {
    this.redis = redis;
  }

  /** The Redis key of a conference's state. */
  public static String key(String conferenceId) {
    return "conference:" + conferenceId + ":state";
  }

  @Override
  public boolean write(ConferenceLeases.Lease lease, String state) {
    Long written =
        redis
            .getScript(StringCodec.INSTANCE)
            .eval(
                RScript.Mode.READ_WRITE,
                WRITE,
                RScript.ReturnType.LONG,
                List.of(RedisConferenceLeases.key(lease.conferenceId()), key(lease.conferenceId())),
                lease.token(),
                state,
                Long.toString(STATE_TTL.toMillis()));
    return written != null && written == 1L;
  }

  @Override
  public Optional<String> read(String conferenceId) {
    return Optional.ofNullable(
        redis.<String>getBucket(key(conferenceId), StringCodec.INSTANCE).get());
  }

  @Override
  public void end(ConferenceLeases.Lease lease) {
    redis
        .getScript(StringCodec.INSTANCE)
        .eval(
            RScript.Mode.READ_WRITE,
            END,
            RScript.ReturnType.LONG,
            List.of(RedisConferenceLeases.key(lease.conferenceId()), key(lease.conferenceId())),
            lease.token());
  }
}
