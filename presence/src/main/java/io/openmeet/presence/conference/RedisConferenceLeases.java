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
 * scripts, so a node never extends or deletes a lease another node took over. A guard key ({@link
 * #GUARD_KEY}) tells a Redis that came back empty from a new one: after such a loss no lease is
 * taken for one TTL, while the owners write theirs again.
 */
public final class RedisConferenceLeases implements ConferenceLeases {

  /**
   * Lua setting {@code now} (Redis' clock, ms) and {@code open} (from the guard at {@code key}; a
   * missing guard starts a hold of {@code holdMs} from now).
   */
  private static String openAt(String key, String holdMs) {
    return "local t = redis.call('time') "
        + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
        + ("local open = tonumber(redis.call('get', " + key + ") or '-1') ")
        + ("if open < 0 then open = now + tonumber(" + holdMs + ") ")
        + ("redis.call('set', " + key + ", tostring(open)) end ");
  }

  // 0: another node holds the lease (also during a hold); -n: held back for n more ms; else the
  // new epoch
  private static final String ACQUIRE =
      "if redis.call('exists', KEYS[1]) == 1 then return 0 end "
          + openAt("KEYS[3]", "ARGV[2]")
          + "if now < open then return now - open end "
          + "local epoch = redis.call('incr', KEYS[2]) "
          + "redis.call('pexpire', KEYS[2], ARGV[3]) "
          + "redis.call('set', KEYS[1], ARGV[1] .. '#' .. epoch, 'PX', ARGV[2]) "
          + "return epoch";
  // 1: the guard was missing (data lost), the hold starts now
  private static final String NOTICE =
      "if redis.call('exists', KEYS[1]) == 1 then return 0 end "
          + openAt("KEYS[1]", "ARGV[1]")
          + "return 1";
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

  /**
   * The guard of a deployment's leases: Redis time (ms) from which leases may be taken; 0 once a
   * node {@link #started} on a store that had none. Never expires, so its absence means the data
   * was lost.
   */
  public static final String GUARD_KEY = "conference-leases:open-at";

  private final RedissonClient redis;
  private final String guardKey;

  public RedisConferenceLeases(RedissonClient redis) {
    this(redis, GUARD_KEY);
  }

  /** With a guard key of its own (tests that lose the data of one shared Redis on purpose). */
  public RedisConferenceLeases(RedissonClient redis, String guardKey) {
    this.redis = redis;
    this.guardKey = guardKey;
  }

  @Override
  public void started() {
    redis.<String>getBucket(guardKey, StringCodec.INSTANCE).setIfAbsent("0");
  }

  @Override
  public boolean noticeDataLoss(Duration hold) {
    Long noticed =
        redis
            .getScript(StringCodec.INSTANCE)
            .eval(
                RScript.Mode.READ_WRITE,
                NOTICE,
                RScript.ReturnType.LONG,
                List.of(guardKey),
                Long.toString(hold.toMillis()));
    return noticed != null && noticed == 1L;
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
                List.of(key(conferenceId), epochKey(conferenceId), guardKey),
                nodeId,
                Long.toString(ttl.toMillis()),
                Long.toString(EPOCH_TTL.toMillis()));
    if (epoch != null && epoch < 0) {
      throw new HeldBackException(Duration.ofMillis(-epoch));
    }
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
