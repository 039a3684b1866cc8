package io.openmeet.presence.conference;

import java.time.Duration;
import java.util.Optional;

/**
 * Which control-plane node owns a conference. A lease lapses unless its owner renews it, so another
 * node can take the conference over when the owner dies.
 */
public interface ConferenceLeases {

  /** Takes the lease if nobody holds it; empty when another node owns the conference. */
  Optional<Lease> tryAcquire(String conferenceId, String nodeId, Duration ttl);

  /** Extends a lease this node still holds; false when it lapsed or another node took it over. */
  boolean renew(Lease lease, Duration ttl);

  /** Gives the lease up if this node still holds it. */
  void release(Lease lease);

  /** The node that owns the conference now, if any. */
  Optional<String> owner(String conferenceId);

  /** A held lease. */
  record Lease(String conferenceId, String nodeId) {}
}
