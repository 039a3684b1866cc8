package io.openmeet.roomapi.service;

import java.time.Duration;

/**
 * How long a client should wait before retrying a request refused because Redis or Postgres is
 * down: REST's `Retry-After` and signalling's `retryAfterMs` give the same figure. Redis is PINGed
 * every 500 ms (openmeet.redis.probe-interval), so a retry after this sees it back within a few
 * probes.
 */
public final class RetryHint {
  public static final Duration SERVICE_UNAVAILABLE = Duration.ofSeconds(2);

  private RetryHint() {}

  /** The value of a `Retry-After` header: whole seconds. */
  public static String retryAfterHeader() {
    return Long.toString(SERVICE_UNAVAILABLE.toSeconds());
  }
}
