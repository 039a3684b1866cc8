package io.openmeet.focus.testing;

import io.openmeet.presence.redis.RedissonClientFactory;
import org.redisson.api.RedissonClient;

/** A client for the real Redis at REDIS_URL. */
public final class TestRedis {

  private TestRedis() {}

  public static RedissonClient connect() {
    return RedissonClientFactory.create(
        RedissonClientFactory.Settings.of(TestEnv.require("REDIS_URL")));
  }
}
