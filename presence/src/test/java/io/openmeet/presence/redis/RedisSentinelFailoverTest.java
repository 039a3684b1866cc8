package io.openmeet.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.presence.bridge.BridgeSnapshot;
import io.openmeet.presence.bridge.RedisBridgeAdmission;
import io.openmeet.presence.bridge.RedisBridgeStateStore;
import io.openmeet.presence.redis.RedissonClientFactory.Auth;
import io.openmeet.presence.redis.RedissonClientFactory.Sentinel;
import io.openmeet.presence.redis.RedissonClientFactory.Settings;
import io.openmeet.presence.redis.RedissonClientFactory.Tls;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Sentinel mode against Debian's redis-server and redis-sentinel (a group of this test's own: a
 * master, one replica, three Sentinels; password and TLS everywhere). The master is killed; the
 * Sentinels promote the replica and the same client goes on: data written before is there, the
 * admission script and pub/sub work on the new master.
 */
class RedisSentinelFailoverTest {

  private RedisGroup group;
  private RedissonClient redis;

  @BeforeEach
  void start() throws Exception {
    group = RedisGroup.start("sentinel", true, 1, 3);
    Settings settings =
        Settings.sentinel(new Sentinel("mymaster", group.sentinelUrls(), Optional.empty()))
            .withAuth(new Auth(Optional.empty(), Optional.of(group.password)))
            .withTls(new Tls(Optional.of(group.caFile()), true));
    redis = RedissonClientFactory.create(settings);
  }

  @AfterEach
  void stop() throws Exception {
    if (redis != null) {
      redis.shutdown();
    }
    if (group != null) {
      group.close();
    }
  }

  @Test
  void the_client_follows_the_promoted_replica_after_the_master_dies() throws Exception {
    var bucket = redis.<String>getBucket("failover:before");
    bucket.set("written before");
    var store = new RedisBridgeStateStore(redis, "failover:");
    store.put(
        new BridgeSnapshot(
            "b1", "jid/b1", "", "", "", 0.1, true, false, false, false, Instant.now()),
        Duration.ofMinutes(5));
    var admission =
        new RedisBridgeAdmission(
            redis, store, Clock.systemUTC(), 0.02, Duration.ofSeconds(2), Duration.ofMinutes(1));
    assertThat(admission.reserve(List.of(List.of("b1")), 0.8, false)).isPresent();
    // pub/sub, as the lobby's events use it
    RTopic topic = redis.getTopic("failover:events", StringCodec.INSTANCE);
    var received = new LinkedBlockingQueue<String>();
    int listener = topic.addListener(String.class, (channel, m) -> received.add(m));
    assertThat(topic.publish("before")).isPositive();
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("before");
    // the replica holds the writes before the master goes (Sentinel promotes what it has)
    awaitReplicated();

    int replica = group.replicaPorts.get(0);
    long killedAt = System.nanoTime();
    group.kill(group.masterPort);

    // writes succeed again once a Sentinel has promoted the replica and the client has moved
    Instant deadline = Instant.now().plusSeconds(30);
    long firstWriteMs = -1;
    int attempts = 0;
    while (Instant.now().isBefore(deadline)) {
      attempts++;
      try {
        redis.<String>getBucket("failover:after").set("written after");
        firstWriteMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        break;
      } catch (RuntimeException stillFailingOver) {
        Thread.sleep(100);
      }
    }
    assertThat(firstWriteMs).as("a write succeeded within 30 s of the kill").isNotNegative();
    System.out.printf(
        "Sentinel failover: first successful write %d ms after the master was killed"
            + " (%d attempts)%n",
        firstWriteMs, attempts);
    assertThat(group.currentMaster()).isEqualTo(replica);

    assertThat(bucket.get()).isEqualTo("written before");
    assertThat(redis.<String>getBucket("failover:after").get()).isEqualTo("written after");
    assertThat(admission.reservedLoad("b1")).isGreaterThan(0);
    assertThat(admission.reserve(List.of(List.of("b1")), 0.8, false)).isPresent();
    // the subscription moved to the new master too
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    String got = null;
    while (got == null && System.nanoTime() < until) {
      if (topic.publish("after") > 0) {
        got = received.poll(5, TimeUnit.SECONDS);
      } else {
        Thread.sleep(200);
      }
    }
    assertThat(got).isEqualTo("after");
    topic.removeListener(listener);
  }

  private void awaitReplicated() throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Settings direct =
        Settings.of(group.url(group.replicaPorts.get(0)))
            .withAuth(new Auth(Optional.empty(), Optional.of(group.password)))
            .withTls(new Tls(Optional.of(group.caFile()), true))
            .withPool(1, 3_000);
    RedissonClient replica = RedissonClientFactory.create(direct);
    try {
      while (System.nanoTime() < until) {
        if ("written before".equals(replica.<String>getBucket("failover:before").get())) {
          return;
        }
        Thread.sleep(50);
      }
      throw new AssertionError("the replica never received the write");
    } finally {
      replica.shutdown();
    }
  }
}
