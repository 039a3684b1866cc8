package io.openmeet.focus.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.focus.testing.BreweryBridge;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.MutableClock;
import io.openmeet.focus.testing.TestEnv;
import io.openmeet.focus.testing.TestRedis;
import io.openmeet.focus.xmpp.FocusXmppConnection;
import io.openmeet.presence.bridge.BridgeSnapshot;
import io.openmeet.presence.bridge.BridgeStateStore;
import io.openmeet.presence.bridge.RedisBridgeAdmission;
import io.openmeet.presence.bridge.RedisBridgeStateStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** Discovery and health over the real Prosody brewery, snapshots in the real Redis. */
class BridgeRegistryTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
  private final MutableClock clock = new MutableClock();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private RedissonClient redis;
  private RedisBridgeStateStore store;
  private String brewery;
  private BridgeRegistry registry;
  // snapshots the registry already offered for selection when they were written to Redis
  private final List<BridgeSnapshot> listedBeforeWritten = new CopyOnWriteArrayList<>();

  /** The Redis store, noting a write of what the registry already lists (admission reads Redis). */
  private BridgeStateStore watched(BridgeStateStore real) {
    return new BridgeStateStore() {
      @Override
      public void put(BridgeSnapshot snapshot, Duration ttl) {
        if (registry.bridge(snapshot.id()).filter(snapshot::equals).isPresent()) {
          listedBeforeWritten.add(snapshot);
        }
        real.put(snapshot, ttl);
      }

      @Override
      public Optional<BridgeSnapshot> get(String bridgeId) {
        return real.get(bridgeId);
      }

      @Override
      public List<BridgeSnapshot> all() {
        return real.all();
      }

      @Override
      public void remove(String bridgeId) {
        real.remove(bridgeId);
      }
    };
  }

  @BeforeEach
  void start() throws Exception {
    redis = TestRedis.connect();
    store = new RedisBridgeStateStore(redis, "test-" + UUID.randomUUID() + ":");
    brewery = TestEnv.uniqueBrewery();
    FocusXmppConnection focus = new FocusXmppConnection(TestEnv.focus());
    focus.connect(3, Duration.ofMillis(200), Duration.ofSeconds(1));
    closing.add(focus);
    BridgeRegistryConfig config =
        new BridgeRegistryConfig(
            brewery,
            "focus-" + UUID.randomUUID().toString().substring(0, 8),
            Duration.ofHours(1), // checks are triggered by hand below
            Duration.ofSeconds(2), // generous: the machine is shared and busy
            Duration.ofMillis(100),
            Duration.ofSeconds(45),
            Duration.ofSeconds(30));
    registry =
        new BridgeRegistry(
            focus,
            watched(store),
            new RedisBridgeAdmission(
                redis, store, clock, 0.02, Duration.ofSeconds(2), Duration.ofSeconds(30)),
            config,
            clock);
    registry.addListener(
        new BridgeListener() {
          @Override
          public void bridgeUpdated(BridgeSnapshot bridge) {
            events.add("updated " + bridge.id());
          }

          @Override
          public void bridgeRemoved(String bridgeId) {
            events.add("removed " + bridgeId);
          }

          @Override
          public void bridgeUnhealthy(String bridgeId) {
            events.add("unhealthy " + bridgeId);
          }
        });
    closing.add(0, registry);
    registry.start();
    registry.start(); // idempotent: a start-up loop may call it again
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    redis.shutdown();
  }

  private BreweryBridge bridge(String nick) throws Exception {
    BreweryBridge b = new BreweryBridge(brewery, nick);
    closing.add(0, b);
    return b;
  }

  @Test
  void bridgesWithStatsAreRegisteredAndPublishedAndRemovedWhenTheyLeave() throws Exception {
    BreweryBridge jvb1 = bridge("jvb1");
    BreweryBridge quiet = bridge("quiet");
    quiet.publishWithoutStats();
    jvb1.publish(
        Map.of(
            "stress_level", "0.25",
            "region", "eu-west",
            "relay_id", "relay-1",
            "version", "2.3.SNAPSHOT",
            "healthy", "true",
            "drain", "false",
            "participants", "4"));

    Eventually.within(
        WAIT, () -> assertThat(registry.bridges()).extracting(BridgeSnapshot::id).contains("jvb1"));
    BridgeSnapshot seen = registry.bridge("jvb1").orElseThrow();
    assertThat(seen.stress()).isEqualTo(0.25);
    assertThat(seen.region()).isEqualTo("eu-west");
    assertThat(seen.relayId()).isEqualTo("relay-1");
    assertThat(seen.version()).isEqualTo("2.3.SNAPSHOT");
    assertThat(seen.participants()).isEqualTo(4);
    assertThat(seen.jid()).isEqualTo(brewery + "/jvb1");
    assertThat(seen.acceptsNewConferences()).isTrue();
    // Redis has a bridge's stats before the registry offers them: admission reads Redis
    assertThat(store.get("jvb1")).contains(seen);
    // Presence without <stats> is not a bridge.
    assertThat(registry.bridges()).extracting(BridgeSnapshot::id).doesNotContain("quiet");

    // New stats replace the old ones, everywhere.
    jvb1.publish(Map.of("stress_level", "0.5", "region", "eu-west", "drain", "true"));
    // the registry offers new stats only once Redis has them
    Eventually.within(
        WAIT, () -> assertThat(registry.bridge("jvb1").orElseThrow().drain()).isTrue());
    assertThat(registry.bridge("jvb1").orElseThrow().acceptsNewConferences()).isFalse();
    assertThat(registry.bridge("jvb1").orElseThrow().stress()).isEqualTo(0.5);
    assertThat(registry.bridge("jvb1").orElseThrow().participants()).isEqualTo(-1);
    assertThat(store.get("jvb1").orElseThrow().drain()).isTrue();
    assertThat(listedBeforeWritten).isEmpty();

    jvb1.close();
    Eventually.within(WAIT, () -> assertThat(events).contains("updated jvb1", "removed jvb1"));
    assertThat(registry.bridges()).isEmpty();
    assertThat(store.get("jvb1")).isEmpty();
  }

  @Test
  void healthChecksMarkBridgesUnhealthyOnErrorAndOnTwoTimeoutsThenHealthyAgain() throws Exception {
    BreweryBridge jvb1 = bridge("jvb1");
    jvb1.publish(Map.of("stress_level", "0.1"));
    Eventually.within(WAIT, () -> assertThat(registry.bridge("jvb1")).isPresent());

    registry.checkAllNow();
    assertThat(registry.bridge("jvb1").orElseThrow().healthy()).isTrue();
    assertThat(jvb1.healthChecksReceived()).isEqualTo(1);

    jvb1.answerHealthChecks(BreweryBridge.Health.ERROR);
    registry.checkAllNow();
    assertThat(registry.bridge("jvb1").orElseThrow().healthy()).isFalse();
    assertThat(store.get("jvb1").orElseThrow().healthy()).isFalse();
    assertThat(events).contains("unhealthy jvb1");
    assertThat(jvb1.healthChecksReceived()).isEqualTo(2); // an error is not retried

    jvb1.answerHealthChecks(BreweryBridge.Health.OK);
    registry.checkAllNow();
    assertThat(registry.bridge("jvb1").orElseThrow().healthy()).isTrue();

    jvb1.answerHealthChecks(BreweryBridge.Health.SILENT);
    registry.checkAllNow();
    assertThat(jvb1.healthChecksReceived()).isEqualTo(5); // the timeout was retried once
    assertThat(registry.bridge("jvb1").orElseThrow().healthy()).isFalse();
    assertThat(store.get("jvb1").orElseThrow().acceptsNewConferences()).isFalse();
  }

  @Test
  void aBridgeThatGoesSilentIsUnhealthyWithinFiveSecondsAtTheDefaultCadence() throws Exception {
    FocusXmppConnection focus = new FocusXmppConnection(TestEnv.focus());
    focus.connect(3, Duration.ofMillis(200), Duration.ofSeconds(1));
    closing.add(focus);
    var live =
        new BridgeRegistry(
            focus,
            store,
            new RedisBridgeAdmission(
                redis, store, clock, 0.02, Duration.ofSeconds(2), Duration.ofSeconds(30)),
            BridgeRegistryConfig.defaults(
                brewery, "focus-" + UUID.randomUUID().toString().substring(0, 8)),
            clock);
    AtomicLong unhealthyAt = new AtomicLong();
    live.addListener(
        new BridgeListener() {
          @Override
          public void bridgeUnhealthy(String bridgeId) {
            unhealthyAt.compareAndSet(0, System.nanoTime());
          }
        });
    closing.add(0, live);
    live.start();
    BreweryBridge jvb1 = bridge("jvb1");
    jvb1.publish(Map.of("stress_level", "0.1"));
    // checked every second on its own, and healthy while it answers
    Eventually.within(WAIT, () -> assertThat(jvb1.healthChecksReceived()).isGreaterThan(3));
    assertThat(live.bridge("jvb1").orElseThrow().healthy()).isTrue();
    assertThat(unhealthyAt.get()).isZero();

    long silentAt = System.nanoTime();
    jvb1.answerHealthChecks(BreweryBridge.Health.SILENT);
    Eventually.within(WAIT, () -> assertThat(unhealthyAt.get()).isNotZero());
    double seconds = (unhealthyAt.get() - silentAt) / 1e9;
    System.out.printf("silent bridge unhealthy after %.2f s%n", seconds);
    // interval + 2 x timeout = 5 s by design; the rest is room for a busy machine
    assertThat(seconds).isLessThan(6.0);
    assertThat(live.bridge("jvb1").orElseThrow().healthy()).isFalse();
  }

  @Test
  void aBridgeWhosePresenceIsStaleIsUnhealthyThenForgotten() throws Exception {
    BreweryBridge jvb1 = bridge("jvb1");
    jvb1.publish(Map.of("stress_level", "0.1"));
    Eventually.within(WAIT, () -> assertThat(registry.bridge("jvb1")).isPresent());
    assertThat(registry.bridge("jvb1").orElseThrow().healthy()).isTrue();

    clock.advance(Duration.ofSeconds(46));
    assertThat(registry.bridge("jvb1").orElseThrow().healthy()).isFalse();

    jvb1.publish(Map.of("stress_level", "0.1"));
    Eventually.within(
        WAIT, () -> assertThat(registry.bridge("jvb1").orElseThrow().healthy()).isTrue());

    // Silent for twice the presence timeout (its leave was lost): forgotten, here and in Redis.
    // A presence still on its way from the publish above may land after the clock moved and count
    // as fresh, so each round moves the clock again: no round is silent for less than 91 s.
    Eventually.within(
        WAIT,
        () -> {
          clock.advance(Duration.ofSeconds(91));
          try {
            registry.checkAllNow();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
          }
          assertThat(registry.bridge("jvb1")).isEmpty();
          assertThat(store.get("jvb1")).isEmpty();
        });
    assertThat(events).contains("removed jvb1");
  }

  @Test
  void aBridgeThatSaysItIsUnhealthyOrShuttingDownAcceptsNothing() throws Exception {
    BreweryBridge sick = bridge("sick");
    BreweryBridge leaving = bridge("leaving");
    BreweryBridge graceful = bridge("graceful");
    sick.publish(Map.of("stress_level", "0.1", "healthy", "false"));
    leaving.publish(Map.of("stress_level", "0.1", "shutting_down", "true"));
    graceful.publish(Map.of("stress_level", "0.1", "graceful_shutdown", "true"));
    Eventually.within(WAIT, () -> assertThat(registry.bridges()).hasSize(3));
    assertThat(registry.bridges()).noneMatch(BridgeSnapshot::acceptsNewConferences);
  }
}
