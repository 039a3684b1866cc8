package io.openmeet.roomapi.service;

import io.openmeet.presence.ratelimit.RateLimiter;
import io.openmeet.presence.ratelimit.RateLimiter.Rule;
import io.openmeet.roomapi.config.OpenmeetConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** Applies the configured per-client-address limits; refusals become 429 with Retry-After. */
@ApplicationScoped
public class RequestLimits {

  private final RateLimiter limiter;
  private final boolean enabled;
  private final Rule roomCreates;
  private final Rule tokenRequests;

  RequestLimits(RateLimiter limiter, OpenmeetConfig config) {
    var c = config.rateLimit();
    this.limiter = limiter;
    this.enabled = c.enabled();
    this.roomCreates = new Rule("room-creates", c.roomCreates(), c.window());
    this.tokenRequests = new Rule("token-requests", c.tokenRequests(), c.window());
  }

  public void roomCreate(String clientAddress) {
    check(roomCreates, clientAddress, "room creations");
  }

  public void tokenRequest(String clientAddress) {
    check(tokenRequests, clientAddress, "token requests");
  }

  private void check(Rule rule, String client, String what) {
    if (!enabled) {
      return;
    }
    var decision = limiter.acquire(rule, client);
    if (!decision.allowed()) {
      throw ApiException.rateLimited(
          "at most "
              + rule.limit()
              + " "
              + what
              + " per "
              + rule.window().toSeconds()
              + " s from one address; retry in "
              + decision.retryAfterSeconds()
              + " s",
          decision.retryAfter());
    }
  }
}
