package io.openmeet.presence.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.presence.redis.RedisTestSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

class RedisBridgeStateStoreTest {

  private static RedissonClient redis;

  @BeforeAll
  static void connect() {
    redis = RedisTestSupport.connect();
  }

  @AfterAll
  static void disconnect() {
    redis.shutdown();
  }

  static BridgeSnapshot snapshot(String id, double stress, String region) {
    return new BridgeSnapshot(
        id,
        "jvbbrewery@internal.auth.meet.local/" + id,
        region,
        "relay-" + id,
        "2.3",
        stress,
        true,
        false,
        false,
        false,
        Instant.ofEpochMilli(1_700_000_000_123L),
        7);
  }

  @Test
  void aSnapshotIsReadBackByAnyClientAsWritten() {
    RedisBridgeStateStore store = new RedisBridgeStateStore(redis, "t-" + UUID.randomUUID() + ":");
    BridgeSnapshot jvb1 = snapshot("jvb1", 0.42, "eu-west");
    store.put(jvb1, Duration.ofSeconds(30));

    assertThat(store.get("jvb1")).contains(jvb1);
    assertThat(redis.getMap(store.key("jvb1")).remainTimeToLive()).isBetween(1L, 30_000L);
    assertThat(store.get("nope")).isEmpty();
  }

  @Test
  void expiredAndRemovedBridgesDisappearFromTheList() throws Exception {
    RedisBridgeStateStore store = new RedisBridgeStateStore(redis, "t-" + UUID.randomUUID() + ":");
    store.put(snapshot("b", 0.1, ""), Duration.ofSeconds(30));
    store.put(snapshot("a", 0.2, ""), Duration.ofSeconds(30));
    // a TTL long enough to still be there at the first look on a loaded machine (200 ms was not)
    store.put(snapshot("short", 0.3, ""), Duration.ofMillis(1500));
    assertThat(store.all()).extracting(BridgeSnapshot::id).containsExactly("a", "b", "short");

    store.remove("b");
    Thread.sleep(1700); // a real Redis TTL: nothing to inject here
    assertThat(store.all()).extracting(BridgeSnapshot::id).containsExactly("a");
  }

  @Test
  void aNewSnapshotReplacesTheOldOneWholly() {
    RedisBridgeStateStore store = new RedisBridgeStateStore(redis, "t-" + UUID.randomUUID() + ":");
    store.put(snapshot("jvb1", 0.5, "eu-west"), Duration.ofSeconds(30));
    BridgeSnapshot draining =
        new BridgeSnapshot(
            "jvb1", "j/jvb1", null, null, null, 0.1, true, true, false, false, Instant.EPOCH);
    store.put(draining, Duration.ofSeconds(30));
    assertThat(store.get("jvb1")).contains(draining);
    assertThat(store.get("jvb1").orElseThrow().acceptsNewConferences()).isFalse();
  }
}
