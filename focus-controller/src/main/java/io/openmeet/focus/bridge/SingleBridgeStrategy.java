package io.openmeet.focus.bridge;

import io.openmeet.presence.bridge.BridgeSnapshot;
import java.util.List;

/**
 * Everything on one bridge: the conference's bridge if usable, else the usable bridge with the
 * lowest id (so every node picks the same one). For one-machine set-ups with one lite-bridge.
 */
public final class SingleBridgeStrategy implements BridgeSelectionStrategy {

  @Override
  public List<List<BridgeSnapshot>> rank(
      List<BridgeSnapshot> candidates, SelectionContext context) {
    if (candidates.isEmpty()) {
      return List.of();
    }
    BridgeSnapshot chosen =
        context
            .conferenceBridge()
            .flatMap(id -> candidates.stream().filter(b -> b.id().equals(id)).findFirst())
            .orElse(candidates.get(0));
    return List.of(List.of(chosen));
  }
}
