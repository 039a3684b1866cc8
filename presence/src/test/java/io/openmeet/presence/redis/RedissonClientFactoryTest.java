package io.openmeet.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedissonClientFactoryTest {

  @Test
  void accepts_redis_and_rediss_urls() {
    assertThat(RedissonClientFactory.validated("redis://127.0.0.1:6379"))
        .isEqualTo("redis://127.0.0.1:6379");
    assertThat(RedissonClientFactory.validated(" rediss://cache.example:6380 "))
        .isEqualTo("rediss://cache.example:6380");
  }

  @Test
  void rejects_urls_that_are_not_redis_urls() {
    assertThatThrownBy(() -> RedissonClientFactory.validated("http://127.0.0.1:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://");
    assertThatThrownBy(() -> RedissonClientFactory.validated("127.0.0.1:6379"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedissonClientFactory.validated("redis://"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://");
  }

  @Test
  void rejects_an_empty_pool() {
    assertThatThrownBy(() -> new RedissonClientFactory.Settings("redis://h:1", 0, 100))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_created_client_talks_to_the_real_server() {
    var redis = RedisTestSupport.connect();
    try {
      var bucket = redis.<String>getBucket("presence-test:factory:" + java.util.UUID.randomUUID());
      bucket.set("ok", java.time.Duration.ofSeconds(10));
      assertThat(bucket.get()).isEqualTo("ok");
      bucket.delete();
    } finally {
      redis.shutdown();
    }
  }
}
