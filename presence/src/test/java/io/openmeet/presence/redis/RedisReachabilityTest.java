package io.openmeet.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisConnectionException;

/** The gate that makes Redis commands fail at once while Redis is down, against the real Redis. */
class RedisReachabilityTest {

  @Test
  void commands_fail_at_once_while_pings_go_unanswered_and_pass_again_when_one_is()
      throws Exception {
    RedissonClient raw = RedisTestSupport.connect();
    AtomicBoolean answering = new AtomicBoolean(true);
    AtomicInteger backs = new AtomicInteger();
    try (RedisReachability reachability = new RedisReachability(Duration.ofMillis(50))) {
      reachability.pingWith(() -> answering.get() && raw.getKeys().count() >= 0);
      reachability.onReachable(backs::incrementAndGet);
      RedissonClient client = RedissonTiming.timed(raw, RedisCommandListener.NONE, reachability);
      var bucket = client.<String>getBucket("reachability-test-" + java.util.UUID.randomUUID());
      bucket.set("x");

      answering.set(false);
      waitFor(reachability::down);
      assertThatThrownBy(bucket::get)
          .isInstanceOf(RedisConnectionException.class)
          .hasMessageContaining("Redis is unreachable");
      // timed on a second call, and only the call: the first one (and AssertJ around it) loads
      // classes, which on a loaded machine alone can take longer than the bound
      long started = System.nanoTime();
      Throwable again = catchThrowable(bucket::get);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(again).isInstanceOf(RedisConnectionException.class);
      assertThat(took).isLessThan(Duration.ofMillis(50));
      assertThat(RedisReachability.unreachable(new RuntimeException("other"))).isFalse();
      assertThat(reachability.retryAfterMillis()).isEqualTo(1_000);

      answering.set(true);
      waitFor(() -> !reachability.down());
      assertThat(bucket.get()).isEqualTo("x");
      assertThat(backs.get()).isEqualTo(1);
      bucket.delete();
    } finally {
      raw.shutdown();
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
