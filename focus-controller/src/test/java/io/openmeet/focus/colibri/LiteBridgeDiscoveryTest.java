package io.openmeet.focus.colibri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.openmeet.focus.bridge.BridgeRegistry;
import io.openmeet.focus.bridge.BridgeRegistryConfig;
import io.openmeet.focus.bridge.BridgeSelectionStrategy;
import io.openmeet.focus.bridge.BridgeSelector;
import io.openmeet.focus.bridge.SelectionConfig;
import io.openmeet.focus.colibri.ColibriSessionManager.Conference;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.TestEnv;
import io.openmeet.focus.testing.TestRedis;
import io.openmeet.focus.xmpp.FocusXmppConnection;
import io.openmeet.litebridge.LiteBridge;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.presence.bridge.RedisBridgeAdmission;
import io.openmeet.presence.bridge.RedisBridgeStateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** Start, drain and stop a real lite-bridge: the registry, Redis and Colibri follow. */
class LiteBridgeDiscoveryTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
  private RedissonClient redis;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    if (redis != null) {
      redis.shutdown();
    }
  }

  private static LiteBridge liteBridge(String brewery, String nickname) throws Exception {
    Map<String, Object> o = new HashMap<>();
    String x = "lite-bridge.apis.xmpp-client.";
    o.put(x + "configs.test.muc_jids", brewery);
    o.put(x + "configs.test.muc_nickname", nickname);
    o.put(x + "presence-interval", "1 second");
    o.put("lite-bridge.http-servers.private.host", "127.0.0.1");
    o.put("lite-bridge.http-servers.private.port", 0);
    o.put("lite-bridge.ice.udp.port", 0);
    o.put("lite-bridge.ice.bind-addresses", List.of("127.0.0.1"));
    BridgeConfig config = BridgeConfig.load(o);
    return new LiteBridge(
            config, new Ice4jMediaEngine(config.media()), Clock.systemUTC(), () -> 0.0)
        .start();
  }

  @Test
  void theRegistryRedisAndColibriFollowALiteBridgeThatStartsDrainsAndStops() throws Exception {
    String brewery = TestEnv.uniqueBrewery();
    String id = "lite-" + UUID.randomUUID().toString().substring(0, 8);
    redis = TestRedis.connect();
    RedisBridgeStateStore store =
        new RedisBridgeStateStore(redis, "test-" + UUID.randomUUID() + ":");
    RedisBridgeAdmission admission =
        new RedisBridgeAdmission(
            redis, store, Clock.systemUTC(), 0.01, Duration.ofSeconds(2), Duration.ofSeconds(30));
    FocusXmppConnection focus = new FocusXmppConnection(TestEnv.focus());
    focus.connect(3, Duration.ofMillis(200), Duration.ofSeconds(1));
    closing.add(focus);
    BridgeRegistry registry =
        new BridgeRegistry(
            focus,
            store,
            admission,
            BridgeRegistryConfig.defaults(
                brewery, "focus-" + UUID.randomUUID().toString().substring(0, 8)),
            Clock.systemUTC());
    closing.add(0, registry);
    registry.start();
    Colibri2SessionManager colibri =
        new Colibri2SessionManager(
            focus.smack(),
            new BridgeSelector(
                registry::bridges,
                BridgeSelectionStrategy.named("single-bridge"),
                admission,
                SelectionConfig.defaults()),
            admission,
            registry::markUnhealthy,
            CodecSettings.defaults(false),
            Duration.ofSeconds(5),
            2);
    registry.addListener(colibri.bridgeListener());
    List<Map<String, Set<String>>> moved = new CopyOnWriteArrayList<>();
    colibri.addListener((bridgeId, endpoints) -> moved.add(endpoints));

    // Before any bridge: nothing to allocate on.
    assertThat(
            catchThrowableOfType(
                NoBridgeException.class, () -> colibri.allocate(conference(), "ep0", "nobody")))
        .isNotNull();

    LiteBridge bridge = liteBridge(brewery, id);
    closing.add(0, bridge);
    // the registry offers a bridge only once its snapshot is in Redis
    Eventually.within(WAIT, () -> assertThat(registry.bridge(id)).isPresent());
    assertThat(registry.bridge(id).orElseThrow().acceptsNewConferences()).isTrue();
    assertThat(store.get(id).orElseThrow().jid()).isEqualTo(bridge.occupantJid().toString());

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

  @Test
  void aConferenceWhoseBridgeFailsMovesToAnotherAndTheOthersAreToldToFollow() throws Exception {
    String brewery = TestEnv.uniqueBrewery();
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    redis = TestRedis.connect();
    RedisBridgeStateStore store =
        new RedisBridgeStateStore(redis, "test-" + UUID.randomUUID() + ":");
    RedisBridgeAdmission admission =
        new RedisBridgeAdmission(
            redis, store, Clock.systemUTC(), 0.01, Duration.ofSeconds(2), Duration.ofSeconds(30));
    FocusXmppConnection focus = new FocusXmppConnection(TestEnv.focus());
    focus.connect(3, Duration.ofMillis(200), Duration.ofSeconds(1));
    closing.add(focus);
    BridgeRegistryConfig defaults = BridgeRegistryConfig.defaults(brewery, "focus-" + suffix);
    BridgeRegistry registry =
        new BridgeRegistry(
            focus,
            store,
            admission,
            new BridgeRegistryConfig(
                brewery,
                defaults.nickname(),
                Duration.ofHours(1), // no background check may heal the failed bridge mid-test
                defaults.healthCheckTimeout(),
                defaults.healthCheckRetryDelay(),
                defaults.presenceTimeout(),
                defaults.snapshotTtl()),
            Clock.systemUTC());
    closing.add(0, registry);
    registry.start();
    Colibri2SessionManager colibri =
        new Colibri2SessionManager(
            focus.smack(),
            new BridgeSelector(
                registry::bridges,
                BridgeSelectionStrategy.named("region-aware"),
                admission,
                SelectionConfig.defaults()),
            admission,
            registry::markUnhealthy,
            CodecSettings.defaults(false),
            Duration.ofSeconds(5),
            2);
    List<String> told = new CopyOnWriteArrayList<>();
    colibri.addListener((bridgeId, endpoints) -> told.add(bridgeId + " " + endpoints));
    String a = "lite-a-" + suffix;
    String b = "lite-b-" + suffix;
    closing.add(0, liteBridge(brewery, a));
    closing.add(0, liteBridge(brewery, b));
    Eventually.within(WAIT, () -> assertThat(registry.bridges()).hasSize(2));

    Conference c = conference();
    // Equal load: the tie goes to the lower id.
    assertThat(colibri.allocate(c, "ep1", "Ada").bridgeId()).isEqualTo(a);
    registry.markUnhealthy(a); // as after a failed health check or Colibri2 request

    assertThat(colibri.allocate(c, "ep2", "Bob").bridgeId()).isEqualTo(b);
    assertThat(colibri.bridgeOf(c.meetingId())).contains(b);
    assertThat(told).containsExactly(a + " {" + c.meetingId() + "=[ep1]}");
  }

  private static Conference conference() {
    String meetingId = UUID.randomUUID().toString();
    return new Conference(
        meetingId,
        "room-" + meetingId.substring(0, 8) + "@conference.meet.local",
        Optional.empty());
  }
}
