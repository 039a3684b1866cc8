package io.openmeet.presence.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resume tokens as Redis hashes {@code resume:{sha-256 of the token}} with a TTL: Redis never holds
 * a token itself, so reading Redis does not let anyone resume someone else's session.
 */
public final class RedisResumeTokens implements ResumeTokens {

  private static final Logger LOG = LoggerFactory.getLogger(RedisResumeTokens.class);

  private static final String TAKE =
      "local v = redis.call('hmget', KEYS[1], 'roomId', 'participantId', 'subject') "
          + "redis.call('del', KEYS[1]) return v";

  private final RedissonClient redis;

  public RedisResumeTokens(RedissonClient redis) {
    this.redis = redis;
  }

  /** The Redis key of a token. */
  public static String key(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return "resume:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public void put(String token, Grant grant, Duration ttl) {
    var batch = redis.createBatch();
    var hash = batch.<String, String>getMap(key(token), StringCodec.INSTANCE);
    hash.putAllAsync(
        Map.of(
            "roomId", grant.roomId(),
            "participantId", grant.participantId(),
            "subject", grant.subject()));
    hash.expireAsync(ttl);
    batch
        .executeAsync()
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                LOG.info("a resume token was not stored: {}", e.toString());
              }
            });
  }

  @Override
  public Optional<Grant> take(String token) {
    List<Object> values =
        redis
            .getScript(StringCodec.INSTANCE)
            .eval(RScript.Mode.READ_WRITE, TAKE, RScript.ReturnType.LIST, List.of(key(token)));
    if (values == null
        || values.size() != 3
        || values.get(0) == null
        || values.get(1) == null
        || values.get(2) == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Grant(values.get(0).toString(), values.get(1).toString(), values.get(2).toString()));
  }

  @Override
  public void revoke(String token) {
    redis
        .getBucket(key(token), StringCodec.INSTANCE)
        .deleteAsync()
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                LOG.debug("a resume token was not revoked (it expires): {}", e.toString());
              }
            });
  }
}
