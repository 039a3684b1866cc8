package io.openmeet.presence.conference;

import java.time.Duration;
import java.util.Optional;

/**
 * Which control-plane node owns a conference. A lease lapses unless its owner renews it, so another
 * node can take the conference over when the owner dies. Every acquire gets a new epoch (a fencing
 * token): writes made under a lease check that it is still the current one.
 */
public interface ConferenceLeases {

  /** Takes the lease if nobody holds it; empty when another node owns the conference. */
  Optional<Lease> tryAcquire(String conferenceId, String nodeId, Duration ttl);

  /** Extends a lease this node still holds; false when it lapsed or another node took it over. */
  boolean renew(Lease lease, Duration ttl);

  /**
   * After Redis was unreachable (and may have come back empty): extends the lease like {@link
   * #renew}, or writes it again with the same epoch when it is gone and no later epoch was taken
   * meanwhile. False when another node holds it or took a later one; such a lease wins. Stores that
   * cannot tell say false.
   */
  default boolean reassert(Lease lease, Duration ttl) {
    return false;
  }

  /** Gives the lease up if this node still holds it. */
  void release(Lease lease);

  /** The node that owns the conference now, if any. */
  Optional<String> owner(String conferenceId);

  /**
   * A held lease.
   *
   * @param epoch the lease's fencing token: higher for every acquire of the conference (0 for a
   *     lease written by a node that did not number them)
   */
  record Lease(String conferenceId, String nodeId, long epoch) {

    public Lease(String conferenceId, String nodeId) {
      this(conferenceId, nodeId, 0);
    }

    /** The value stored for the lease: {@code <nodeId>#<epoch>}. */
    public String token() {
      return epoch == 0 ? nodeId : nodeId + "#" + epoch;
    }

    /** The node named by a stored lease value. */
    public static String nodeOf(String token) {
      int hash = token.lastIndexOf('#');
      return hash < 0 ? token : token.substring(0, hash);
    }
  }
}
