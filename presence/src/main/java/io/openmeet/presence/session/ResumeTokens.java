package io.openmeet.presence.session;

import java.time.Duration;
import java.util.Optional;

/**
 * Resume tokens that any node can redeem: each names the participant it resumes. Tokens are single
 * use; storing one never blocks its caller (it may be lost if the node dies at once, and the
 * browser then joins afresh).
 */
public interface ResumeTokens {

  /**
   * What a token resumes.
   *
   * @param subject the join token's subject; only the same subject may resume
   */
  record Grant(String roomId, String participantId, String subject) {}

  /** Stores a token for {@code ttl} without waiting for Redis. */
  void put(String token, Grant grant, Duration ttl);

  /** Redeems a token: its grant, and it is gone; empty when unknown, used or expired. */
  Optional<Grant> take(String token);

  /** Forgets a token without waiting for Redis. */
  void revoke(String token);
}
