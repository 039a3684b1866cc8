package io.openmeet.focus.bridge;

import io.openmeet.presence.bridge.BridgeSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Keeps a conference on its bridge while that bridge is usable; otherwise prefers bridges in the
 * participant's region, then any bridge, the least loaded first in each. Conferences are not split
 * across bridges (no relays yet), so a running conference whose bridge is usable gets only that
 * tier.
 */
public final class RegionAwareLeastLoadedStrategy implements BridgeSelectionStrategy {

  private static final Comparator<BridgeSnapshot> BY_LOAD =
      Comparator.comparingDouble(BridgeSnapshot::stress).thenComparing(BridgeSnapshot::id);

  @Override
  public List<List<BridgeSnapshot>> rank(
      List<BridgeSnapshot> candidates, SelectionContext context) {
    if (context.conferenceBridge().isPresent()) {
      String current = context.conferenceBridge().get();
      List<BridgeSnapshot> same = candidates.stream().filter(b -> b.id().equals(current)).toList();
      if (!same.isEmpty()) {
        return List.of(same);
      }
    }
    List<List<BridgeSnapshot>> tiers = new ArrayList<>();
    if (context.participantRegion().isPresent()) {
      String region = context.participantRegion().get();
      List<BridgeSnapshot> local =
          candidates.stream().filter(b -> region.equals(b.region())).sorted(BY_LOAD).toList();
      if (!local.isEmpty()) {
        tiers.add(local);
      }
      List<BridgeSnapshot> others =
          candidates.stream().filter(b -> !region.equals(b.region())).sorted(BY_LOAD).toList();
      if (!others.isEmpty()) {
        tiers.add(others);
      }
    } else if (!candidates.isEmpty()) {
      tiers.add(candidates.stream().sorted(BY_LOAD).toList());
    }
    return tiers;
  }
}
