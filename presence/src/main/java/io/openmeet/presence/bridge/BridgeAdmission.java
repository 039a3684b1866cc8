package io.openmeet.presence.bridge;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Admission control shared by every node: a join reserves load on a bridge before its Colibri2
 * allocation, so a burst of joins cannot overshoot a bridge whose stats are seconds old.
 * Reservations decay once stats newer than them arrive (the stats then include the load).
 */
public interface BridgeAdmission {

  /**
   * Atomically picks and reserves: in the first tier that has a bridge with room, the bridge with
   * the least effective load (reported stress + unsettled reservations) that still accepts new
   * conferences; ties go to the earlier bridge in the tier.
   *
   * @param tiers bridge ids in order of preference, e.g. [[current], [same region], [any]]
   * @param maxLoad the effective load a bridge may reach with this reservation
   * @return empty when no bridge in any tier has room
   */
  default Optional<Reservation> reserve(List<List<String>> tiers, double maxLoad) {
    return reserve(tiers, maxLoad, false);
  }

  /**
   * As {@link #reserve(List, double)}; with {@code existingConference} a bridge that is draining or
   * in graceful shutdown (but healthy and not shutting down) may still be chosen, because the join
   * goes to a conference it already hosts.
   */
  Optional<Reservation> reserve(
      List<List<String>> tiers, double maxLoad, boolean existingConference);

  /** Gives a reservation back (the allocation failed). */
  void release(Reservation reservation);

  /** Drops reservations the bridge's stats received at {@code statsReceivedAt} already include. */
  void statsRefreshed(String bridgeId, Instant statsReceivedAt);

  /** The load reserved on a bridge and not yet settled by fresh stats. */
  double reservedLoad(String bridgeId);

  /**
   * A reservation.
   *
   * @param effectiveLoad the bridge's effective load including this reservation
   */
  record Reservation(String bridgeId, String id, double effectiveLoad) {}
}
