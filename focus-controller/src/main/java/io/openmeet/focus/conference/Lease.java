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

  /** A renewal that began at {@code startedAtNanos} succeeded. */
  void renewed(long startedAtNanos) {
    if (!lost) {
      validUntilNanos = Math.max(validUntilNanos, startedAtNanos + ttlNanos - marginNanos);
    }
  }

  /** Redis said the lease is no longer ours (or we gave it up): never valid again. */
  void lose() {
    lost = true;
  }

  /** Whether this node may still act for the conference now. */
  boolean valid() {
    return !lost && System.nanoTime() - validUntilNanos < 0;
  }

  /** Whether the lease was lost for good, rather than only not renewed in time yet. */
  boolean lost() {
    return lost;
  }
}
