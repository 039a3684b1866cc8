package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openmeet.loadgen.RoomApiClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * room-api on a production-like Redis: Debian's redis-server and redis-sentinel with a password and
 * TLS only, found through three Sentinels (REDIS_MODE=sentinel and the other REDIS_* settings a
 * deployment sets). During a call on lite-bridge the Redis master is killed: the call's media goes
 * on, the Sentinels promote the replica, room-api follows it, and joins work again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Order(SuiteLanes.LAST) // timings under live media: after the outages, see SuiteLanes
@ResourceLock(SuiteLanes.QUIET_MACHINE)
class RedisFailoverSystemTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Duration CONNECT = Duration.ofSeconds(30);

  private RedisHaGroup redis;
  private RoomApiProcess api;
  private LiteSystemBridge bridge;
  private RoomApiClient rest;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    redis = RedisHaGroup.start();
    api =
        RoomApiProcess.start(
            RoomApiProcess.random("it-"), RoomApiProcess.freePort(), redis.roomApiEnv());
    bridge = LiteSystemBridge.start(api.breweryJid);
    rest = new RoomApiClient(http, api.baseUrl);
  }

  @AfterAll
  void stop() throws Exception {
    Closing.inOrder(bridge, api, redis);
  }

  @Test
  void the_call_goes_on_and_joins_work_after_the_redis_master_dies() throws Exception {
    JsonNode room = rest.createRoom("Failover " + RoomApiProcess.random(""), "public", null, 12);
    String slug = room.path("slug").asText();
    // room-api really uses the group (and not the shared Redis): the room's record is there
    assertThat(redis.cli(redis.masterPort, "EXISTS", "room:" + room.path("id").asText()))
        .isEqualTo("1");

    try (Peer ada = new Peer(http, api, slug, "Ada");
        Peer bob = new Peer(http, api, slug, "Bob")) {
      for (Peer p : List.of(ada, bob)) {
        assertThat(p.media.awaitConnected(CONNECT)).as(p.id + " connected").isTrue();
      }
      // Ada and Bob send all along, from one thread; the longest time Bob hears nothing new from
      // Ada is measured on every tick
      ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
      AtomicLong lastHeard = new AtomicLong(System.nanoTime());
      AtomicLong lastCount = new AtomicLong();
      AtomicLong longestGapNanos = new AtomicLong();
      sender.scheduleAtFixedRate(
          () -> {
            ada.media.sendAudio(40);
            bob.media.sendAudio(40);
            long count = bob.media.receivedCount(ada.media.audioSsrc());
            long now = System.nanoTime();
            if (count > lastCount.get()) {
              lastCount.set(count);
              lastHeard.set(now);
            } else {
              longestGapNanos.accumulateAndGet(now - lastHeard.get(), Math::max);
            }
          },
          0,
          20,
          TimeUnit.MILLISECONDS);
      List<Peer> joined = new ArrayList<>();
      try {
        Eventually.within(
            Duration.ofSeconds(20),
            () -> {
              ada.answerReoffers();
              bob.answerReoffers();
              assertThat(bob.media.receivedCount(ada.media.audioSsrc())).isPositive();
              assertThat(ada.media.receivedCount(bob.media.audioSsrc())).isPositive();
            });
        longestGapNanos.set(0);

        long killedAt = System.nanoTime();
        redis.killMaster();

        // joins from the moment the master is gone: the first that succeeds after the failover
        List<String> failures = new CopyOnWriteArrayList<>();
        Peer cy = null;
        long deadline = killedAt + TimeUnit.SECONDS.toNanos(40);
        while (cy == null && System.nanoTime() < deadline) {
          try {
            cy = new Peer(http, api, slug, "Cy");
          } catch (AssertionError | Exception e) {
            failures.add(String.valueOf(e.getMessage()));
            Thread.sleep(200);
          }
        }
        assertThat(cy)
            .as("a join succeeded within 40 s of the kill; failures: " + failures)
            .isNotNull();
        joined.add(cy);
        long firstJoinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        assertThat(redis.currentMaster()).isEqualTo(redis.replicaPort);

        // once the group has failed over, joins work at the first attempt
        Peer dan = new Peer(http, api, slug, "Dan");
        joined.add(dan);
        Peer finalCy = cy;
        for (Peer p : joined) {
          assertThat(p.media.awaitConnected(CONNECT)).as(p.id + " connected").isTrue();
        }
        Eventually.within(
            Duration.ofSeconds(20),
            () -> {
              for (Peer p : List.of(ada, bob, finalCy, dan)) {
                p.answerReoffers();
              }
              finalCy.media.sendAudio(40);
              dan.media.sendAudio(40);
              assertThat(ada.media.receivedCount(finalCy.media.audioSsrc())).isPositive();
              assertThat(finalCy.media.receivedCount(ada.media.audioSsrc())).isPositive();
              assertThat(dan.media.receivedCount(bob.media.audioSsrc())).isPositive();
            });
        long longestGapMs = TimeUnit.NANOSECONDS.toMillis(longestGapNanos.get());
        System.out.printf(
            "Redis failover during a call: first join %d ms after the master was killed"
                + " (%d failed attempts before: %s); longest gap in Bob hearing Ada: %d ms%n",
            firstJoinMs, failures.size(), failures, longestGapMs);
        // the bridge forwards without Redis: the call itself never notices
        assertThat(longestGapMs).isLessThan(1_000);

        // the node is ready again, and new rooms land on the new master
        var ready =
            http.send(
                HttpRequest.newBuilder(api.baseUrl.resolve("/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        JsonNode after = rest.createRoom("After " + RoomApiProcess.random(""), "public", null, 4);
        assertThat(redis.cli(redis.replicaPort, "EXISTS", "room:" + after.path("id").asText()))
            .isEqualTo("1");
      } finally {
        sender.shutdownNow();
        for (Peer p : joined) {
          p.close();
        }
      }
    }
  }
}
