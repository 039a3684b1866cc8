package io.openmeet.presence.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.presence.bridge.BridgeAdmission.Reservation;
import io.openmeet.presence.redis.RedisTestSupport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

class RedisBridgeAdmissionTest {

  private static final Instant T0 = Instant.parse("2026-11-27T18:00:00Z");
  private static RedissonClient redis;
  private static RedissonClient otherNode;

  @BeforeAll
  static void connect() {
    redis = RedisTestSupport.connect();
    otherNode = RedisTestSupport.connect();
  }

  @AfterAll
  static void disconnect() {
    redis.shutdown();
    otherNode.shutdown();
  }

  private static RedisBridgeAdmission admission(
      RedissonClient client, RedisBridgeStateStore store, Clock clock) {
    return new RedisBridgeAdmission(
        client, store, clock, 0.02, Duration.ofSeconds(2), Duration.ofSeconds(30));
  }

  @Test
  void aBurstOfFiftyJoinsFromTwoNodesSpreadsByLoadAndNeverOvershoots() throws Exception {
    String prefix = "t-" + UUID.randomUUID() + ":";
    Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    RedisBridgeStateStore store = new RedisBridgeStateStore(redis, prefix);
    store.put(RedisBridgeStateStoreTest.snapshot("jvb1", 0.10, ""), Duration.ofSeconds(30));
    store.put(RedisBridgeStateStoreTest.snapshot("jvb2", 0.30, ""), Duration.ofSeconds(30));
    List<BridgeAdmission> nodes =
        List.of(
            admission(redis, store, clock),
            admission(otherNode, new RedisBridgeStateStore(otherNode, prefix), clock));

    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Optional<Reservation>>> joins = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      BridgeAdmission node = nodes.get(i % 2);
      joins.add(
          pool.submit(
              () -> {
                start.await();
                return node.reserve(List.of(List.of("jvb1", "jvb2")), 0.8);
              }));
    }
    start.countDown();
    List<Reservation> granted = new ArrayList<>();
    for (Future<Optional<Reservation>> f : joins) {
      f.get().ifPresent(granted::add);
    }
    pool.shutdown();

    Map<String, Long> perBridge =
        granted.stream()
            .collect(Collectors.groupingBy(Reservation::bridgeId, Collectors.counting()));
    // Least effective load first: jvb1 catches up from 0.10 to 0.30 (10 joins), then they
    // alternate: 10 + 20 on jvb1, 20 on jvb2, whatever the interleaving of the two nodes.
    assertThat(granted).hasSize(50);
    assertThat(perBridge).containsEntry("jvb1", 30L).containsEntry("jvb2", 20L);
    assertThat(nodes.get(0).reservedLoad("jvb1")).isCloseTo(0.60, within());
    assertThat(nodes.get(1).reservedLoad("jvb2")).isCloseTo(0.40, within());
  }

  @Test
  void aFullBridgeRefusesAndTheNextTierIsUsed() {
    String prefix = "t-" + UUID.randomUUID() + ":";
    RedisBridgeStateStore store = new RedisBridgeStateStore(redis, prefix);
    BridgeAdmission admission = admission(redis, store, Clock.fixed(T0, ZoneOffset.UTC));
    store.put(RedisBridgeStateStoreTest.snapshot("near", 0.75, "eu"), Duration.ofSeconds(30));
    store.put(RedisBridgeStateStoreTest.snapshot("far", 0.50, "us"), Duration.ofSeconds(30));
    List<List<String>> tiers = List.of(List.of("near"), List.of("far"));

    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      admission.reserve(tiers, 0.8).ifPresent(r -> chosen.add(r.bridgeId()));
    }
    // near takes two (0.77, 0.79); far takes fifteen (0.52 .. 0.80); the rest are refused.
    assertThat(chosen.stream().filter("near"::equals)).hasSize(2);
    assertThat(chosen.stream().filter("far"::equals)).hasSize(15);
    assertThat(chosen).hasSize(17);
  }

  @Test
  void bridgesThatDoNotAcceptOrAreUnknownAreSkipped_butDrainingOnesKeepTheirConferences() {
    String prefix = "t-" + UUID.randomUUID() + ":";
    RedisBridgeStateStore store = new RedisBridgeStateStore(redis, prefix);
    BridgeAdmission admission = admission(redis, store, Clock.fixed(T0, ZoneOffset.UTC));
    store.put(
        new BridgeSnapshot("draining", "j", "", "", "", 0.0, true, true, false, false, T0),
        Duration.ofSeconds(30));
    store.put(
        new BridgeSnapshot("sick", "j", "", "", "", 0.0, false, false, false, false, T0),
        Duration.ofSeconds(30));
    store.put(RedisBridgeStateStoreTest.snapshot("ok", 0.5, ""), Duration.ofSeconds(30));

    store.put(
        new BridgeSnapshot("leaving", "j", "", "", "", 0.0, true, true, false, true, T0),
        Duration.ofSeconds(30));
    assertThat(admission.reserve(List.of(List.of("draining", "sick", "ghost")), 1.0)).isEmpty();
    // A draining bridge still grows the conferences it hosts; one shutting down does not.
    assertThat(admission.reserve(List.of(List.of("draining")), 1.0, true))
        .map(Reservation::bridgeId)
        .contains("draining");
    assertThat(admission.reserve(List.of(List.of("leaving", "sick")), 1.0, true)).isEmpty();
    assertThat(admission.reserve(List.of(List.of("draining", "sick", "ghost", "ok")), 1.0))
        .map(Reservation::bridgeId)
        .contains("ok");
  }

  @Test
  void reservationsDecayWhenNewerStatsArriveAndCanBeReleased() {
    String prefix = "t-" + UUID.randomUUID() + ":";
    RedisBridgeStateStore store = new RedisBridgeStateStore(redis, prefix);
    MutableClock clock = new MutableClock(T0);
    BridgeAdmission admission = admission(redis, store, clock);
    store.put(RedisBridgeStateStoreTest.snapshot("jvb1", 0.1, ""), Duration.ofSeconds(30));

    Reservation first = admission.reserve(List.of(List.of("jvb1")), 1.0).orElseThrow();
    clock.advance(Duration.ofSeconds(3));
    admission.reserve(List.of(List.of("jvb1")), 1.0).orElseThrow();
    assertThat(admission.reservedLoad("jvb1")).isCloseTo(0.04, within());

    // Stats received now include what was reserved more than 2 s (the settle time) ago.
    admission.statsRefreshed("jvb1", clock.instant());
    assertThat(admission.reservedLoad("jvb1")).isCloseTo(0.02, within());
    admission.release(first); // already settled: a no-op
    assertThat(admission.reservedLoad("jvb1")).isCloseTo(0.02, within());

    clock.advance(Duration.ofSeconds(31)); // no stats at all: reservations still expire
    assertThat(admission.reservedLoad("jvb1")).isZero();
    Reservation third = admission.reserve(List.of(List.of("jvb1")), 1.0).orElseThrow();
    assertThat(third.effectiveLoad()).isCloseTo(0.12, within());
    admission.release(third);
    assertThat(admission.reservedLoad("jvb1")).isZero();
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
