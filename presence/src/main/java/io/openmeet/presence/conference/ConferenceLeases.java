package io.openmeet.presence.conference;

import java.time.Duration;
import java.util.Optional;

/**
 * Which control-plane node owns a conference. A lease lapses unless its owner renews it, so another
 * node can take the conference over when the owner dies. Every acquire gets a new epoch (a fencing
 * token): writes made under a lease check that it is still the current one.
 */
public interface ConferenceLeases {

  /**
   * Takes the lease if nobody holds it; empty when another node owns the conference.
   *
   * @throws HeldBackException while no node may take a lease because the store lost its data (Redis
   *     came back empty) less than one TTL ago: the nodes that owned conferences write their leases
   *     again first (see {@link #noticeDataLoss})
   */
  Optional<Lease> tryAcquire(String conferenceId, String nodeId, Duration ttl);

  /**
   * This node starts: marks the store as in use, so that a store nobody used before (a new
   * deployment) takes leases at once, while one that lost its data later is noticed by {@link
   * #noticeDataLoss}. Stores that cannot lose their data do nothing.
   */
  default void started() {}

  /**
   * Whether the store lost its data since a node marked it {@link #started} (Redis restarted
   * empty): if so, no node takes a lease for {@code hold} from now, which gives every owner,
   * renewing every third of the TTL, time to write its lease again ({@link #reassert}) before
   * another node could start a second conference for the same room. Nodes call this on every
   * renewal round; the first to notice starts the hold, and {@link #tryAcquire} notices too.
   */
  default boolean noticeDataLoss(Duration hold) {
    return false;
  }

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

  /** Lease taking is held back after the store lost its data; retry after {@link #retryAfter}. */
  final class HeldBackException extends RuntimeException {
    private final transient Duration retryAfter;

    public HeldBackException(Duration retryAfter) {
      super(
          "shared state was lost (Redis restarted empty): the nodes that own conferences write"
              + " their leases again first; no lease is taken for another "
              + retryAfter.toMillis()
              + " ms");
      this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
      return retryAfter;
    }
  }

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
