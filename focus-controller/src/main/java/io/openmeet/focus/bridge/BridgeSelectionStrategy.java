package io.openmeet.focus.bridge;

import io.openmeet.presence.bridge.BridgeSnapshot;
import java.util.List;

/**
 * Ranks the bridges that may take a join into tiers of preference. Within a tier the admission
 * script picks the least loaded bridge atomically, with every node's reservations counted, so
 * strategies order tiers and never read load they could race on.
 */
public interface BridgeSelectionStrategy {

  /**
   * @param candidates bridges that are healthy and accept new conferences, ordered by id
   * @return tiers, best first; bridges within a tier in tie-break order; empty for none
   */
  List<List<BridgeSnapshot>> rank(List<BridgeSnapshot> candidates, SelectionContext context);

  /** The configured strategy: {@code region-aware} (the default) or {@code single-bridge}. */
  static BridgeSelectionStrategy named(String name) {
    return switch (name == null ? "region-aware" : name.trim()) {
      case "region-aware", "" -> new RegionAwareLeastLoadedStrategy();
      case "single-bridge" -> new SingleBridgeStrategy();
      default ->
          throw new IllegalArgumentException(
              "unknown bridge selection strategy '" + name + "' (region-aware, single-bridge)");
    };
  }
}
