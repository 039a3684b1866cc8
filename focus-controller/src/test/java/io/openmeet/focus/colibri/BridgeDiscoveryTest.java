package io.openmeet.focus.colibri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.openmeet.focus.bridge.BridgeRegistry;
import io.openmeet.focus.colibri.ColibriSessionManager.Conference;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.FocusStack;
import io.openmeet.focus.testing.TestBridge;
import io.openmeet.focus.testing.TestEnv;
import io.openmeet.presence.bridge.RedisBridgeStateStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A bridge that starts, drains and stops while the focus's registry, Redis and Colibri2 follow; run
 * against lite-bridge ({@link LiteBridgeDiscoveryTest}) and JVB ({@link JvbDiscoveryTest}).
 */
abstract class BridgeDiscoveryTest {

  protected static final Duration WAIT = Duration.ofSeconds(15);

  protected final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

  /** Starts the bridge under test as an occupant of {@code brewery}. */
  protected abstract TestBridge startBridge(String brewery) throws Exception;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  protected static Conference conference() {
    String meetingId = UUID.randomUUID().toString();
    return new Conference(
        meetingId,
        "room-" + meetingId.substring(0, 8) + "@conference.meet.local",
        Optional.empty());
  }

  @Test
  void theRegistryRedisAndColibriFollowABridgeThatStartsDrainsAndStops() throws Exception {
    String brewery = TestEnv.uniqueBrewery();
    FocusStack stack = FocusStack.start(brewery);
    closing.add(stack);
    BridgeRegistry registry = stack.registry();
    RedisBridgeStateStore store = stack.store();
    // a freshly started JVB loads its classes on the first allocation: not what this tests
    Colibri2SessionManager colibri = stack.manager("single-bridge", Duration.ofSeconds(30));
    registry.addListener(colibri.bridgeListener());
    List<Map<String, Set<String>>> moved = new CopyOnWriteArrayList<>();
    colibri.addListener((bridgeId, endpoints) -> moved.add(endpoints));

    // Before any bridge: nothing to allocate on.
    assertThat(
            catchThrowableOfType(
                NoBridgeException.class, () -> colibri.allocate(conference(), "ep0", "nobody")))
        .isNotNull();

    TestBridge bridge = startBridge(brewery);
    closing.add(0, bridge);
    String id = bridge.id();
    // the registry offers a bridge only once its snapshot is in Redis
    Eventually.within(WAIT, () -> assertThat(registry.bridge(id)).isPresent());
    assertThat(registry.bridge(id).orElseThrow().acceptsNewConferences()).isTrue();
    assertThat(store.get(id).orElseThrow().jid()).isEqualTo(bridge.occupantJid());

    Conference c = conference();
    assertThat(colibri.allocate(c, "ep1", "Ada").bridgeId()).isEqualTo(id);

    bridge.setDrain(true);
    Eventually.within(WAIT, () -> assertThat(registry.bridge(id).orElseThrow().drain()).isTrue());
    assertThat(store.get(id).orElseThrow().drain()).isTrue();
    assertThat(
            catchThrowableOfType(
                NoBridgeException.class, () -> colibri.allocate(conference(), "ep1", "Bob")))
        .isNotNull();
    assertThat(colibri.allocate(c, "ep2", "Cy").bridgeId()).isEqualTo(id);

    bridge.close();
    Eventually.within(WAIT, () -> assertThat(registry.bridge(id)).isEmpty());
    Eventually.within(WAIT, () -> assertThat(store.get(id)).isEmpty());
    Eventually.within(WAIT, () -> assertThat(moved).hasSize(1));
    assertThat(moved.get(0).get(c.meetingId())).containsExactlyInAnyOrder("ep1", "ep2");
    assertThat(colibri.bridgeOf(c.meetingId())).isEmpty();
  }
}
