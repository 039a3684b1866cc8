package io.openmeet.presence.redis;

import org.redisson.api.RedissonClient;

/** Connects tests to the real Redis that scripts/test starts (REDIS_URL). */
public final class RedisTestSupport {

  private RedisTestSupport() {}

  /** A client for REDIS_URL; fails loudly when the variable is missing instead of skipping. */
  public static RedissonClient connect() {
    String url = System.getenv("REDIS_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("REDIS_URL is not set: run the tests through scripts/test");
    }
    return RedissonClientFactory.create(RedissonClientFactory.Settings.of(url));
  }
}
