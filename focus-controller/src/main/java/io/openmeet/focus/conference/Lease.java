package io.openmeet.focus.conference;

import io.openmeet.presence.conference.ConferenceLeases;
import java.time.Duration;

/**
 * This node's hold on one conference's lease, as the node itself can tell without asking Redis: it
 * is valid until its TTL, counted from the start of the last acquire or renewal that Redis
 * confirmed, has passed (minus a margin), or until Redis said it is gone. A node checks it before
 * every bridge request and shared-state write for the conference, so a node that was paused or cut
 * off past its lease never acts on a conference another node may have taken over.
 */
final class Lease {

  private final ConferenceLeases.Lease held;
  private final long ttlNanos;
  private final long marginNanos;
  private volatile long validUntilNanos;
  private volatile boolean lost;

  /** When the last renewal failed because Redis could not be reached (0: none since confirmed). */
  private volatile long unreachableAtNanos;

  /** How long past its TTL the lease is held while Redis is unreachable (0: not at all). */
  private volatile long outageHoldNanos;

  /** How recent that failure must be for the hold: older means this node itself was paused. */
  private volatile long unreachableFreshNanos;

  /**
   * @param confirmedAtNanos {@link System#nanoTime()} when the acquire that Redis confirmed began
   */
  Lease(ConferenceLeases.Lease held, Duration ttl, long confirmedAtNanos) {
    this.held = held;
    this.ttlNanos = ttl.toNanos();
    // the clocks of this node and Redis may drift apart a little over one TTL
    this.marginNanos = Math.max(ttlNanos / 10, Duration.ofMillis(100).toNanos());
    this.validUntilNanos = confirmedAtNanos + ttlNanos - marginNanos;
  }

  ConferenceLeases.Lease held() {
    return held;
  }

  /**
   * Holds the lease through a Redis outage for up to {@code hold} past its TTL, as long as the last
   * renewal attempt, which failed because Redis was unreachable, is at most {@code fresh} old.
   */
  void holdThroughOutages(Duration hold, Duration fresh) {
    this.outageHoldNanos = hold.toNanos();
    this.unreachableFreshNanos = fresh.toNanos();
  }

  /** A renewal that began at {@code startedAtNanos} succeeded. */
  void renewed(long startedAtNanos) {
    if (!lost) {
      validUntilNanos = Math.max(validUntilNanos, startedAtNanos + ttlNanos - marginNanos);
      unreachableAtNanos = 0;
    }
  }

  /** A renewal failed because Redis could not be reached: nobody else can take the lease either. */
  void unreachable(long atNanos) {
    unreachableAtNanos = atNanos;
  }

  /** Whether a renewal failed (Redis unreachable) since the last one Redis confirmed. */
  boolean renewalFailed() {
    return unreachableAtNanos != 0;
  }

  /** Redis said the lease is no longer ours (or we gave it up): never valid again. */
  void lose() {
    lost = true;
  }

  /**
   * Whether this node may still act for the conference now: its lease was confirmed within its TTL,
   * or it is held through a Redis outage (see {@link #heldThroughOutage()}).
   */
  boolean valid() {
    return confirmed() || heldThroughOutage();
  }

  /** Whether Redis confirmed the lease within its TTL. */
  boolean confirmed() {
    return !lost && System.nanoTime() - validUntilNanos < 0;
  }

  /**
   * Whether the lease is past its TTL only because Redis is unreachable: the last renewal failed
   * for that reason a moment ago, and the lapse is shorter than the hold. While Redis is down no
   * node can take the lease, so the owner keeps serving; a node that was paused instead (no recent
   * failure) is not held.
   */
  boolean heldThroughOutage() {
    long failed = unreachableAtNanos;
    if (lost || failed == 0) {
      return false;
    }
    long now = System.nanoTime();
    return now - failed < unreachableFreshNanos && now - validUntilNanos < outageHoldNanos;
  }

  /** Whether the lease was lost for good, rather than only not renewed in time yet. */
  boolean lost() {
    return lost;
  }
}
