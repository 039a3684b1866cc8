package io.openmeet.focus.colibri;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.focus.bridge.BridgeRegistry;
import io.openmeet.focus.bridge.BridgeRegistryConfig;
import io.openmeet.focus.colibri.ColibriSessionManager.Conference;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.FocusStack;
import io.openmeet.focus.testing.LiteTestBridge;
import io.openmeet.focus.testing.TestBridge;
import io.openmeet.focus.testing.TestEnv;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Start, drain and stop a real lite-bridge (the shared test), and a conference that moves when its
 * bridge fails (two lite-bridges).
 */
class LiteBridgeDiscoveryTest extends BridgeDiscoveryTest {

  @Override
  protected TestBridge startBridge(String brewery) throws Exception {
    return LiteTestBridge.start(brewery, "lite-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /** A focus whose registry runs no health check of its own: no check may heal a failed bridge. */
  private FocusStack stackWithoutBackgroundChecks(String brewery) throws Exception {
    FocusStack stack =
        FocusStack.start(
            brewery,
            defaults ->
                new BridgeRegistryConfig(
                    brewery,
                    defaults.nickname(),
                    Duration.ofHours(1),
                    defaults.healthCheckTimeout(),
                    defaults.healthCheckRetryDelay(),
                    defaults.presenceTimeout(),
                    defaults.snapshotTtl()));
    closing.add(stack);
    return stack;
  }

  @Test
  void aConferenceWhoseBridgeFailsMovesToAnotherAndTheOthersAreToldToFollow() throws Exception {
    String brewery = TestEnv.uniqueBrewery();
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    FocusStack stack = stackWithoutBackgroundChecks(brewery);
    BridgeRegistry registry = stack.registry();
    Colibri2SessionManager colibri = stack.manager("region-aware", Duration.ofSeconds(5));
    List<String> told = new CopyOnWriteArrayList<>();
    colibri.addListener((bridgeId, endpoints) -> told.add(bridgeId + " " + endpoints));
    String a = "lite-a-" + suffix;
    String b = "lite-b-" + suffix;
    closing.add(0, LiteTestBridge.start(brewery, a));
    closing.add(0, LiteTestBridge.start(brewery, b));
    Eventually.within(WAIT, () -> assertThat(registry.bridges()).hasSize(2));

    Conference c = conference();
    // Equal load: the tie goes to the lower id.
    assertThat(colibri.allocate(c, "ep1", "Ada").bridgeId()).isEqualTo(a);
    registry.markUnhealthy(a); // as after a failed health check or Colibri2 request

    assertThat(colibri.allocate(c, "ep2", "Bob").bridgeId()).isEqualTo(b);
    assertThat(colibri.bridgeOf(c.meetingId())).contains(b);
    assertThat(told).containsExactly(a + " {" + c.meetingId() + "=[ep1]}");
  }

  @Test
  void aBridgeMarkedUnhealthyLosesItsConferencesAtOnceAndIsAskedToExpireThem() throws Exception {
    String brewery = TestEnv.uniqueBrewery();
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    FocusStack stack = stackWithoutBackgroundChecks(brewery);
    BridgeRegistry registry = stack.registry();
    Colibri2SessionManager colibri = stack.manager("region-aware", Duration.ofSeconds(5));
    // wired as room-api wires it
    registry.addListener(colibri.bridgeListener());
    List<String> told = new CopyOnWriteArrayList<>();
    colibri.addListener(
        (bridgeId, endpoints) ->
            endpoints.forEach((m, ids) -> told.add(bridgeId + " " + m + " " + new TreeSet<>(ids))));
    String a = "lite-a-" + suffix;
    String b = "lite-b-" + suffix;
    LiteTestBridge liteA = LiteTestBridge.start(brewery, a);
    closing.add(0, liteA);
    closing.add(0, LiteTestBridge.start(brewery, b));
    Eventually.within(WAIT, () -> assertThat(registry.bridges()).hasSize(2));

    Conference c = conference();
    assertThat(colibri.allocate(c, "ep1", "Ada").bridgeId()).isEqualTo(a);
    assertThat(colibri.allocate(c, "ep2", "Bob").bridgeId()).isEqualTo(a);
    assertThat(liteA.bridge().conferences().all()).hasSize(1);

    // as after a failed health check or a Colibri2 request that timed out; no allocation needed
    registry.markUnhealthy(a);

    Eventually.within(
        Duration.ofSeconds(2),
        () -> assertThat(told).containsExactly(a + " " + c.meetingId() + " [ep1, ep2]"));
    assertThat(colibri.bridgeOf(c.meetingId())).isEmpty();
    // the failed bridge (this one still answers) is told to drop the conference that moved
    Eventually.within(WAIT, () -> assertThat(liteA.bridge().conferences().all()).isEmpty());
    assertThat(colibri.allocate(c, "ep1", "Ada").bridgeId()).isEqualTo(b);
  }
}
