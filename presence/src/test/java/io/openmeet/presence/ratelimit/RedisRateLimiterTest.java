package io.openmeet.presence.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.presence.ratelimit.RateLimiter.Rule;
import io.openmeet.presence.redis.RedisTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

class RedisRateLimiterTest {

  private static RedissonClient redis;

  @BeforeAll
  static void connect() {
    redis = RedisTestSupport.connect();
  }

  @AfterAll
  static void disconnect() {
    redis.shutdown();
  }

  private static RedisRateLimiter limiter() {
    return new RedisRateLimiter(redis, "ratelimit-test-" + UUID.randomUUID());
  }

  @Test
  void allows_up_to_the_limit_then_refuses_with_the_time_left_in_the_window() {
    var limiter = limiter();
    var rule = new Rule("rooms", 3, Duration.ofSeconds(30));
    for (int i = 1; i <= 3; i++) {
      var d = limiter.acquire(rule, "10.0.0.1");
      assertThat(d.allowed()).isTrue();
      assertThat(d.count()).isEqualTo(i);
    }
    var refused = limiter.acquire(rule, "10.0.0.1");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfter())
        .isGreaterThan(Duration.ZERO)
        .isLessThanOrEqualTo(rule.window());
    assertThat(refused.retryAfterSeconds()).isBetween(1L, 30L);
  }

  @Test
  void clients_and_rules_are_counted_apart() {
    var limiter = limiter();
    var rooms = new Rule("rooms", 1, Duration.ofSeconds(30));
    var tokens = new Rule("tokens", 1, Duration.ofSeconds(30));
    assertThat(limiter.acquire(rooms, "a").allowed()).isTrue();
    assertThat(limiter.acquire(rooms, "a").allowed()).isFalse();
    assertThat(limiter.acquire(rooms, "b").allowed()).isTrue();
    assertThat(limiter.acquire(tokens, "a").allowed()).isTrue();
  }

  @Test
  void the_window_expires_and_the_counter_has_a_ttl() throws InterruptedException {
    var limiter = limiter();
    // long enough that the refusal and the TTL below still fall inside the window on a loaded
    // machine (a 300 ms window once let the second acquire land in a new window)
    var rule = new Rule("short", 1, Duration.ofMillis(1500));
    assertThat(limiter.acquire(rule, "c").allowed()).isTrue();
    assertThat(limiter.acquire(rule, "c").allowed()).isFalse();
    assertThat(redis.getBucket(limiter.key(rule, "c")).remainTimeToLive()).isPositive();
    // the window began before the first acquire returned: it is over a full window from now
    Thread.sleep(rule.window().toMillis() + 100);
    assertThat(limiter.acquire(rule, "c").allowed()).isTrue();
  }

  @Test
  void concurrent_requests_never_overshoot_the_limit() throws Exception {
    var limiter = limiter();
    var rule = new Rule("burst", 25, Duration.ofSeconds(30));
    var pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        calls.add(() -> limiter.acquire(rule, "d").allowed());
      }
      long allowed = 0;
      for (Future<Boolean> f : pool.invokeAll(calls)) {
        if (f.get()) {
          allowed++;
        }
      }
      assertThat(allowed).isEqualTo(25);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void rules_must_make_sense() {
    assertThatThrownBy(() -> new Rule("x", 0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Rule("x", 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Rule(" ", 1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
