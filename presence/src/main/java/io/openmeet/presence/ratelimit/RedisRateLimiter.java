package io.openmeet.presence.ratelimit;

import java.time.Duration;
import java.util.List;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Fixed-window counters in Redis ({@code <namespace>:<rule>:<client>}): one atomic script per
 * request, so the limit holds across every node that shares the Redis server.
 */
public final class RedisRateLimiter implements RateLimiter {

  // INCR and the first PEXPIRE happen in one script: a crash between them cannot leave a counter
  // without a TTL that would block a client forever
  private static final String COUNT =
      "local c = redis.call('incr', KEYS[1]) "
          + "if c == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end "
          + "local ttl = redis.call('pttl', KEYS[1]) "
          + "if ttl < 0 then redis.call('pexpire', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end "
          + "return {c, ttl}";

  private final RedissonClient redis;
  private final String namespace;

  /**
   * @param namespace the key prefix, so that test runs or deployments sharing a server stay apart
   */
  public RedisRateLimiter(RedissonClient redis, String namespace) {
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException("rate-limit namespace must not be blank");
    }
    this.redis = redis;
    this.namespace = namespace;
  }

  /** The Redis key that counts {@code client} under {@code rule}. */
  public String key(Rule rule, String client) {
    return namespace + ":" + rule.name() + ":" + client;
  }

  @Override
  public Decision acquire(Rule rule, String client) {
    List<Object> result =
        redis
            .getScript(StringCodec.INSTANCE)
            .eval(
                RScript.Mode.READ_WRITE,
                COUNT,
                RScript.ReturnType.LIST,
                List.of(key(rule, client)),
                Long.toString(rule.window().toMillis()));
    long count = toLong(result.get(0));
    long ttlMillis = Math.max(0, toLong(result.get(1)));
    boolean allowed = count <= rule.limit();
    return new Decision(allowed, count, allowed ? Duration.ZERO : Duration.ofMillis(ttlMillis));
  }

  private static long toLong(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    return Long.parseLong(String.valueOf(value));
  }
}
