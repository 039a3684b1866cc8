package io.openmeet.focus.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.testing.BreweryBridge;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.TestEnv;
import io.openmeet.focus.testing.TestRedis;
import io.openmeet.focus.xmpp.FocusXmppConnection;
import io.openmeet.presence.bridge.BridgeSnapshot;
import io.openmeet.presence.bridge.RedisBridgeAdmission;
import io.openmeet.presence.bridge.RedisBridgeStateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Two focus nodes (own XMPP connection, own Redis client, own registry) share one brewery and one
 * Redis namespace; bridges are real brewery occupants publishing stats.
 */
class BridgeSelectorTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
  private final List<RedissonClient> clients = new ArrayList<>();
  private final List<BridgeSelector> nodes = new ArrayList<>();
  private final List<BridgeRegistry> registries = new ArrayList<>();
  private String brewery;
  private BreweryBridge jvb1;
  private BreweryBridge jvb2;

  @BeforeEach
  void start() throws Exception {
    brewery = TestEnv.uniqueBrewery();
    String prefix = "test-" + UUID.randomUUID() + ":";
    jvb1 = new BreweryBridge(brewery, "jvb1");
    jvb2 = new BreweryBridge(brewery, "jvb2");
    closing.add(jvb1);
    closing.add(jvb2);
    for (int n = 0; n < 2; n++) {
      RedissonClient redis = TestRedis.connect();
      clients.add(redis);
      RedisBridgeStateStore store = new RedisBridgeStateStore(redis, prefix);
      RedisBridgeAdmission admission =
          new RedisBridgeAdmission(
              redis, store, Clock.systemUTC(), 0.02, Duration.ofSeconds(2), Duration.ofSeconds(60));
      FocusXmppConnection focus = new FocusXmppConnection(TestEnv.focus());
      focus.connect(3, Duration.ofMillis(200), Duration.ofSeconds(1));
      closing.add(0, focus);
      BridgeRegistry registry =
          new BridgeRegistry(
              focus,
              store,
              admission,
              BridgeRegistryConfig.defaults(brewery, "focus-node-" + n),
              Clock.systemUTC());
      closing.add(0, registry);
      registry.start();
      registries.add(registry);
      nodes.add(
          new BridgeSelector(
              registry::bridges,
              BridgeSelectionStrategy.named("region-aware"),
              admission,
              SelectionConfig.defaults()));
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    clients.forEach(RedissonClient::shutdown);
  }

  private void publish(BreweryBridge bridge, Map<String, Object> stats, double stress)
      throws Exception {
    bridge.publish(stats);
    for (BridgeRegistry r : registries) {
      Eventually.within(
          WAIT,
          () ->
              assertThat(r.bridge(bridge.nickname()))
                  .get()
                  .extracting(BridgeSnapshot::stress)
                  .isEqualTo(stress));
    }
  }

  @Test
  void aBurstOfFiftyJoinsOnTwoNodesIsSpreadByLoadAcrossTwoBridges() throws Exception {
    publish(jvb1, Map.of("stress_level", "0.1"), 0.1);
    publish(jvb2, Map.of("stress_level", "0.3"), 0.3);

    ExecutorService pool = Executors.newFixedThreadPool(25);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<BridgeSelector.Selection>> joins = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      BridgeSelector node = nodes.get(i % 2);
      joins.add(
          pool.submit(
              () -> {
                go.await();
                return node.select(SelectionContext.anywhere());
              }));
    }
    go.countDown();
    List<String> chosen = new ArrayList<>();
    for (Future<BridgeSelector.Selection> f : joins) {
      chosen.add(f.get().bridge().id());
    }
    pool.shutdown();

    Map<String, Long> perBridge =
        chosen.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    // 0.02 per join: jvb1 first catches up with jvb2 (10 joins), then they alternate.
    assertThat(perBridge).containsEntry("jvb1", 30L).containsEntry("jvb2", 20L);
  }

  @Test
  void aBurstBeyondCapacityIsRefusedInsteadOfOvershooting() throws Exception {
    publish(jvb1, Map.of("stress_level", "0.7"), 0.7);
    publish(jvb2, Map.of("stress_level", "0.74"), 0.74);

    ExecutorService pool = Executors.newFixedThreadPool(20);
    List<Future<Optional<String>>> joins = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      BridgeSelector node = nodes.get(i % 2);
      joins.add(
          pool.submit(
              () -> {
                try {
                  return Optional.of(node.select(SelectionContext.anywhere()).bridge().id());
                } catch (NoBridgeAvailableException e) {
                  return Optional.empty();
                }
              }));
    }
    List<String> admitted = new ArrayList<>();
    for (Future<Optional<String>> f : joins) {
      f.get().ifPresent(admitted::add);
    }
    pool.shutdown();
    // Room up to 0.8: five on jvb1 (0.72 .. 0.80), three on jvb2 (0.76 .. 0.80).
    assertThat(admitted.stream().filter("jvb1"::equals)).hasSize(5);
    assertThat(admitted.stream().filter("jvb2"::equals)).hasSize(3);
    // the refusal says what each bridge reports and what is reserved on it
    assertThatThrownBy(() -> nodes.get(0).select(SelectionContext.anywhere()))
        .isInstanceOf(NoBridgeAvailableException.class)
        .hasMessageContaining("load limit (0.8)")
        .hasMessageContaining("jvb1 stress 0.700 + reserved 0.100")
        .hasMessageContaining("jvb2 stress 0.740 + reserved 0.060");
  }

  @Test
  void drainingBridgesKeepTheirConferencesButGetNoNewOnesAndShuttingDownOnesGetNothing()
      throws Exception {
    publish(jvb1, Map.of("stress_level", "0.0", "drain", "true"), 0.0);
    publish(jvb2, Map.of("stress_level", "0.5"), 0.5);

    for (int i = 0; i < 5; i++) {
      assertThat(nodes.get(i % 2).select(SelectionContext.anywhere()).bridge().id())
          .isEqualTo("jvb2");
    }
    // A conference already on the draining bridge stays there: it is not split or moved.
    assertThat(
            nodes
                .get(0)
                .select(new SelectionContext(Optional.of("jvb1"), Optional.empty()))
                .bridge()
                .id())
        .isEqualTo("jvb1");

    jvb2.publish(Map.of("stress_level", "0.5", "graceful_shutdown", "true"));
    for (BridgeRegistry r : registries) {
      Eventually.within(
          WAIT, () -> assertThat(r.bridge("jvb2").orElseThrow().acceptsNewConferences()).isFalse());
    }
    assertThatThrownBy(() -> nodes.get(1).select(SelectionContext.anywhere()))
        .isInstanceOf(NoBridgeAvailableException.class);

    // Shutting down is different: not even its own conferences may grow there.
    jvb1.publish(Map.of("stress_level", "0.0", "drain", "true", "shutting_down", "true"));
    for (BridgeRegistry r : registries) {
      Eventually.within(
          WAIT, () -> assertThat(r.bridge("jvb1").orElseThrow().shuttingDown()).isTrue());
    }
    assertThatThrownBy(
            () -> nodes.get(0).select(new SelectionContext(Optional.of("jvb1"), Optional.empty())))
        .isInstanceOf(NoBridgeAvailableException.class);
  }

  @Test
  void withTwoBridgesTheLessLoadedOneWinsAndAJoiningConferenceStaysOnItsBridge() throws Exception {
    publish(jvb1, Map.of("stress_level", "0.6", "region", "eu"), 0.6);
    publish(jvb2, Map.of("stress_level", "0.2", "region", "us"), 0.2);

    assertThat(nodes.get(0).select(SelectionContext.anywhere()).bridge().id()).isEqualTo("jvb2");
    assertThat(
            nodes
                .get(1)
                .select(new SelectionContext(Optional.empty(), Optional.of("eu")))
                .bridge()
                .id())
        .isEqualTo("jvb1");
    assertThat(
            nodes
                .get(1)
                .select(new SelectionContext(Optional.of("jvb1"), Optional.of("us")))
                .bridge()
                .id())
        .isEqualTo("jvb1");
  }

  @Test
  void aConferenceThatMustMoveMayTakeABridgeUpToTheExistingConferenceLimit() throws Exception {
    // jvb1 is gone from the call's point of view; jvb2 is busy (0.9) but below 1.5
    jvb1.publish(Map.of("stress_level", "0.1", "graceful_shutdown", "true"));
    publish(jvb2, Map.of("stress_level", "0.9"), 0.9);
    for (BridgeRegistry r : registries) {
      Eventually.within(
          WAIT, () -> assertThat(r.bridge("jvb1").orElseThrow().acceptsNewConferences()).isFalse());
    }
    // a new conference is refused there (0.8) ...
    assertThatThrownBy(() -> nodes.get(0).select(SelectionContext.anywhere()))
        .isInstanceOf(NoBridgeAvailableException.class);
    // ... but one whose bridge went away moves there rather than lose everyone's media
    var moved = nodes.get(0).select(new SelectionContext(Optional.empty(), Optional.empty(), true));
    assertThat(moved.bridge().id()).isEqualTo("jvb2");

    // the move's limit is still a limit
    publish(jvb2, Map.of("stress_level", "1.6"), 1.6);
    assertThatThrownBy(
            () ->
                nodes.get(1).select(new SelectionContext(Optional.empty(), Optional.empty(), true)))
        .isInstanceOf(NoBridgeAvailableException.class);
  }
}
