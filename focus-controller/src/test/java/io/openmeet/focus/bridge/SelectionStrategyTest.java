package io.openmeet.focus.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.presence.bridge.BridgeSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SelectionStrategyTest {

  private static BridgeSnapshot bridge(String id, String region, double stress) {
    return new BridgeSnapshot(
        id, "b@x/" + id, region, "", "", stress, true, false, false, false, Instant.EPOCH);
  }

  private static final List<BridgeSnapshot> BRIDGES =
      List.of(
          bridge("a", "eu", 0.5),
          bridge("b", "us", 0.1),
          bridge("c", "eu", 0.2),
          bridge("d", "", 0.0));

  private static List<List<String>> ids(List<List<BridgeSnapshot>> tiers) {
    return tiers.stream().map(t -> t.stream().map(BridgeSnapshot::id).toList()).toList();
  }

  @Test
  void regionAwarePrefersTheConferencesBridgeWhileItIsUsable() {
    var strategy = new RegionAwareLeastLoadedStrategy();
    assertThat(
            ids(strategy.rank(BRIDGES, new SelectionContext(Optional.of("a"), Optional.of("us")))))
        .containsExactly(List.of("a"));
  }

  @Test
  void regionAwareFallsBackToTheRegionThenAnyBridgeLeastLoadedFirst() {
    var strategy = new RegionAwareLeastLoadedStrategy();
    // The conference's bridge is gone (not a candidate): place it like a new one.
    assertThat(
            ids(
                strategy.rank(
                    BRIDGES, new SelectionContext(Optional.of("gone"), Optional.of("eu")))))
        .containsExactly(List.of("c", "a"), List.of("d", "b"));
    assertThat(ids(strategy.rank(BRIDGES, SelectionContext.anywhere())))
        .containsExactly(List.of("d", "b", "c", "a"));
    assertThat(
            ids(strategy.rank(BRIDGES, new SelectionContext(Optional.empty(), Optional.of("ap")))))
        .containsExactly(List.of("d", "b", "c", "a"));
    assertThat(strategy.rank(List.of(), SelectionContext.anywhere())).isEmpty();
  }

  @Test
  void singleBridgePutsEverythingOnOneBridgeEveryNodeAgreesOn() {
    var strategy = new SingleBridgeStrategy();
    assertThat(ids(strategy.rank(BRIDGES, SelectionContext.anywhere())))
        .containsExactly(List.of("a"));
    assertThat(
            ids(strategy.rank(BRIDGES, new SelectionContext(Optional.of("c"), Optional.empty()))))
        .containsExactly(List.of("c"));
    assertThat(strategy.rank(List.of(), SelectionContext.anywhere())).isEmpty();
  }

  @Test
  void aFailingAdmissionStoreRefusesTheJoinWithATypedError() {
    io.openmeet.presence.bridge.BridgeAdmission broken =
        new io.openmeet.presence.bridge.BridgeAdmission() {
          @Override
          public Optional<Reservation> reserve(
              List<List<String>> tiers, double maxLoad, boolean existingConference) {
            throw new IllegalStateException("Redis is down");
          }

          @Override
          public void release(Reservation reservation) {}

          @Override
          public void statsRefreshed(String bridgeId, Instant statsReceivedAt) {}

          @Override
          public double reservedLoad(String bridgeId) {
            return 0;
          }
        };
    BridgeSelector selector =
        new BridgeSelector(
            () -> BRIDGES,
            new RegionAwareLeastLoadedStrategy(),
            broken,
            SelectionConfig.defaults());
    assertThatThrownBy(() -> selector.select(SelectionContext.anywhere()))
        .isInstanceOf(NoBridgeAvailableException.class)
        .hasMessageContaining("Redis is down");
  }

  @Test
  void strategiesArePickedByName() {
    assertThat(BridgeSelectionStrategy.named("single-bridge"))
        .isInstanceOf(SingleBridgeStrategy.class);
    assertThat(BridgeSelectionStrategy.named("region-aware"))
        .isInstanceOf(RegionAwareLeastLoadedStrategy.class);
    assertThat(BridgeSelectionStrategy.named(null))
        .isInstanceOf(RegionAwareLeastLoadedStrategy.class);
    assertThatThrownBy(() -> BridgeSelectionStrategy.named("random"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("random");
  }
}
