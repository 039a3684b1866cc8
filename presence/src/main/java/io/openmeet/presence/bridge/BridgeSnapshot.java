package io.openmeet.presence.bridge;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A bridge as the focus last saw it in the brewery: identity, placement and load from its presence
 * stats, plus the focus's own health verdict.
 *
 * @param id the bridge's nickname in the brewery (unique per brewery)
 * @param jid the occupant JID Colibri2 requests go to
 * @param region empty when the bridge does not say
 * @param relayId empty when the bridge does not say
 * @param version empty when the bridge does not say
 * @param stress {@code stress_level}: 0 idle, 1 full (may exceed 1)
 * @param healthy the bridge's {@code healthy} stat and the focus's health checks both pass
 * @param updatedAt when the focus received the stats (kept to the millisecond)
 * @param participants the bridge's {@code participants} stat, -1 when it does not say
 */
public record BridgeSnapshot(
    String id,
    String jid,
    String region,
    String relayId,
    String version,
    double stress,
    boolean healthy,
    boolean drain,
    boolean gracefulShutdown,
    boolean shuttingDown,
    Instant updatedAt,
    int participants) {

  /** A snapshot of a bridge that does not report its participant count. */
  public BridgeSnapshot(
      String id,
      String jid,
      String region,
      String relayId,
      String version,
      double stress,
      boolean healthy,
      boolean drain,
      boolean gracefulShutdown,
      boolean shuttingDown,
      Instant updatedAt) {
    this(
        id,
        jid,
        region,
        relayId,
        version,
        stress,
        healthy,
        drain,
        gracefulShutdown,
        shuttingDown,
        updatedAt,
        -1);
  }

  public BridgeSnapshot {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(jid, "jid");
    region = Objects.requireNonNullElse(region, "");
    relayId = Objects.requireNonNullElse(relayId, "");
    version = Objects.requireNonNullElse(version, "");
    // Millisecond precision, as stored: a snapshot read back equals the one written.
    updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MILLIS);
    if (Double.isNaN(stress) || stress < 0) {
      throw new IllegalArgumentException("stress must be a non-negative number, was " + stress);
    }
    participants = Math.max(-1, participants);
  }

  /** Whether the bridge may be given new conferences or endpoints. */
  public boolean acceptsNewConferences() {
    return healthy && !drain && !gracefulShutdown && !shuttingDown;
  }

  /**
   * Whether conferences the bridge already hosts may grow there: draining and graceful shutdown
   * only stop new conferences.
   */
  public boolean acceptsJoinsToItsConferences() {
    return healthy && !shuttingDown;
  }

  /** The same snapshot with another health verdict. */
  public BridgeSnapshot withHealthy(boolean healthy) {
    return new BridgeSnapshot(
        id,
        jid,
        region,
        relayId,
        version,
        stress,
        healthy,
        drain,
        gracefulShutdown,
        shuttingDown,
        updatedAt,
        participants);
  }
}
