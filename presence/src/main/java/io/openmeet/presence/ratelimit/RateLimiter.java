package io.openmeet.presence.ratelimit;

import java.time.Duration;

/** Counts requests per client in a fixed window shared by every node. */
public interface RateLimiter {

  /**
   * Counts one request of {@code client} against {@code rule} and says whether it may go ahead.
   *
   * @param rule the limit and window, e.g. "rooms: 30 per minute"
   * @param client who is counted, e.g. the client's IP address
   */
  Decision acquire(Rule rule, String client);

  /** A named limit: at most {@code limit} requests per {@code window}. */
  record Rule(String name, long limit, Duration window) {
    public Rule {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a rate-limit rule needs a name");
      }
      if (limit < 1) {
        throw new IllegalArgumentException("rate limit must be at least 1, was " + limit);
      }
      if (window == null || window.toMillis() < 1) {
        throw new IllegalArgumentException("rate-limit window must be at least 1 ms");
      }
    }
  }

  /** The answer: allowed, or refused until {@code retryAfter} has passed. */
  record Decision(boolean allowed, long count, Duration retryAfter) {

    /** Whole seconds to put in a Retry-After header (at least 1). */
    public long retryAfterSeconds() {
      long millis = retryAfter.toMillis();
      return Math.max(1, (millis + 999) / 1000);
    }
  }
}
