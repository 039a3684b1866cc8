package io.openmeet.presence.bridge;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Where every node publishes and reads bridge snapshots. */
public interface BridgeStateStore {

  /** Writes the snapshot; it disappears after {@code ttl} unless written again. */
  void put(BridgeSnapshot snapshot, Duration ttl);

  /** The bridge's snapshot, empty when unknown or expired. */
  Optional<BridgeSnapshot> get(String bridgeId);

  /** Every bridge with a live snapshot, ordered by id. */
  List<BridgeSnapshot> all();

  /** Forgets the bridge (it left the brewery). */
  void remove(String bridgeId);
}
