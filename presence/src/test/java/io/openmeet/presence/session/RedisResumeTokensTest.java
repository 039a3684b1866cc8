package io.openmeet.presence.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** Resume tokens against the real Redis that scripts/test starts (REDIS_URL). */
class RedisResumeTokensTest {

  private static RedissonClient redis;

  @BeforeAll
  static void connect() {
    String url = System.getenv("REDIS_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("REDIS_URL is not set: run the tests through scripts/test");
    }
    Config config = new Config();
    config.useSingleServer().setAddress(url);
    redis = Redisson.create(config);
  }

  @AfterAll
  static void disconnect() {
    redis.shutdown();
  }

  private static void awaitStored(String token) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!redis.getMap(RedisResumeTokens.key(token)).isExists()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("token " + token + " was not stored within 5 s");
      }
      Thread.sleep(10);
    }
  }

  @Test
  void a_token_is_redeemed_once_and_redis_never_holds_the_token_itself() throws Exception {
    var tokens = new RedisResumeTokens(redis);
    String token = "t-" + UUID.randomUUID();
    var grant = new ResumeTokens.Grant("room-1", "p1", "guest-ada");
    tokens.put(token, grant, Duration.ofMinutes(1));
    awaitStored(token);

    assertThat(RedisResumeTokens.key(token)).doesNotContain(token);
    assertThat(redis.getMap(RedisResumeTokens.key(token)).isExists()).isTrue();
    assertThat(tokens.take(token)).contains(grant);
    assertThat(tokens.take(token)).isEmpty();
    assertThat(tokens.take("never-issued")).isEmpty();
  }

  @Test
  void a_revoked_or_expired_token_resumes_nothing() throws Exception {
    var tokens = new RedisResumeTokens(redis);
    String revoked = "t-" + UUID.randomUUID();
    tokens.put(revoked, new ResumeTokens.Grant("room-1", "p1", "s"), Duration.ofMinutes(1));
    awaitStored(revoked);
    tokens.revoke(revoked);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (redis.getMap(RedisResumeTokens.key(revoked)).isExists()
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(tokens.take(revoked)).isEmpty();

    String expiring = "t-" + UUID.randomUUID();
    // put is asynchronous: the TTL runs from when Redis has it, so wait for it first (a fixed
    // sleep from the call could end before a late write's 100 ms were over)
    tokens.put(expiring, new ResumeTokens.Grant("room-1", "p2", "s"), Duration.ofMillis(1000));
    awaitStored(expiring);
    Thread.sleep(1200);
    assertThat(tokens.take(expiring)).isEmpty();
  }
}
