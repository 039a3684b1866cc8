package io.openmeet.focus.bridge;

import io.openmeet.presence.bridge.BridgeAdmission;
import io.openmeet.presence.bridge.BridgeAdmission.Reservation;
import io.openmeet.presence.bridge.BridgeSnapshot;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Chooses a bridge for a join: drops bridges that are unhealthy, draining or shutting down (a
 * draining bridge still takes joins to conferences it already hosts), lets the strategy rank the
 * rest, then reserves load atomically on the least loaded bridge of the best tier with room.
 */
public final class BridgeSelector {

  private final Supplier<List<BridgeSnapshot>> bridges;
  private final BridgeSelectionStrategy strategy;
  private final BridgeAdmission admission;
  private final SelectionConfig config;

  /**
   * @param bridges the bridges as this node sees them, e.g. {@code registry::bridges}
   */
  public BridgeSelector(
      Supplier<List<BridgeSnapshot>> bridges,
      BridgeSelectionStrategy strategy,
      BridgeAdmission admission,
      SelectionConfig config) {
    this.bridges = Objects.requireNonNull(bridges, "bridges");
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    this.admission = Objects.requireNonNull(admission, "admission");
    this.config = Objects.requireNonNull(config, "config");
  }

  /** The bridge {@code id} as this node sees it now, if it knows it. */
  public Optional<BridgeSnapshot> bridge(String id) {
    return bridges.get().stream().filter(b -> b.id().equals(id)).findFirst();
  }

  /** A chosen bridge and the load reserved on it; release the reservation if allocation fails. */
  public record Selection(BridgeSnapshot bridge, Reservation reservation) {}

  /**
   * Selects and reserves.
   *
   * @throws NoBridgeAvailableException when no usable bridge has room
   */
  public Selection select(SelectionContext context) throws NoBridgeAvailableException {
    return select(context, Set.of());
  }

  /**
   * Selects and reserves, leaving out {@code excluded} bridges (e.g. one that just refused the
   * conference).
   *
   * @throws NoBridgeAvailableException when no usable bridge has room
   */
  public Selection select(SelectionContext context, Set<String> excluded)
      throws NoBridgeAvailableException {
    // A draining bridge (or one in graceful shutdown) keeps growing the conferences it already
    // hosts: they are not split across bridges, and moving them would cut everyone's media.
    String current = context.conferenceBridge().orElse(null);
    List<BridgeSnapshot> usable =
        bridges.get().stream()
            .filter(b -> !excluded.contains(b.id()))
            .filter(
                b ->
                    b.acceptsNewConferences()
                        || (b.id().equals(current) && b.acceptsJoinsToItsConferences()))
            .toList();
    if (usable.isEmpty()) {
      throw new NoBridgeAvailableException("no healthy bridge accepts new conferences");
    }
    List<List<BridgeSnapshot>> tiers = strategy.rank(usable, context);
    boolean existing =
        context.conferenceBridge().isPresent()
            && tiers.size() == 1
            && tiers.get(0).size() == 1
            && tiers.get(0).get(0).id().equals(context.conferenceBridge().get());
    // a conference that must move was admitted once; refusing it would cut everyone's media
    double maxLoad =
        existing || context.moving() ? config.existingConferenceMaxLoad() : config.maxLoad();
    Optional<Reservation> reservation;
    try {
      reservation =
          admission.reserve(
              tiers.stream().map(t -> t.stream().map(BridgeSnapshot::id).toList()).toList(),
              maxLoad,
              existing);
    } catch (RuntimeException e) {
      // Without admission control a burst could overload a bridge: refuse rather than guess.
      throw new NoBridgeAvailableException(
          "bridge admission control is unavailable: " + e.getMessage(), e);
    }
    if (reservation.isEmpty()) {
      throw new NoBridgeAvailableException(
          "every usable bridge is at its load limit (" + maxLoad + "): " + loads(usable));
    }
    String id = reservation.get().bridgeId();
    BridgeSnapshot chosen =
        usable.stream().filter(b -> b.id().equals(id)).findFirst().orElseThrow();
    return new Selection(chosen, reservation.get());
  }

  /** What each bridge reports and what is reserved on it, for the refusal's message. */
  private String loads(List<BridgeSnapshot> usable) {
    StringBuilder out = new StringBuilder();
    for (BridgeSnapshot b : usable) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(b.id())
          .append(" stress ")
          .append(String.format(java.util.Locale.ROOT, "%.3f", b.stress()));
      try {
        out.append(" + reserved ")
            .append(String.format(java.util.Locale.ROOT, "%.3f", admission.reservedLoad(b.id())));
      } catch (RuntimeException e) {
        out.append(" + reserved unknown");
      }
    }
    return out.toString();
  }
}
