package io.openmeet.systemtests;

import static io.openmeet.systemtests.Nanos.msSince;
import static io.openmeet.systemtests.Nanos.sleepUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openmeet.loadgen.RoomApiClient;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A Redis outage with a relayed participant (docs/ARCHITECTURE.md, "Outages"): two room-api nodes
 * of one deployment on a Redis of the test's own, a lite-bridge, two participants on the node that
 * owns the room and one whose socket is on the other node. Redis is stopped for 30 s; signalling
 * between the three goes on across the nodes, past the relay's 15 s heartbeat timeout, and nobody
 * is dropped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT) // beside the light classes: see SuiteLanes
@ResourceLock(SuiteLanes.QUIET_MACHINE)
class RelayOutageChaosTest {

  private static final Duration REDIS_OUTAGE = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newHttpClient();
  private OwnRedis redis;
  private RoomApiProcess owner;
  private RoomApiProcess other;
  private LiteSystemBridge bridge;

  @BeforeAll
  void start() throws Exception {
    redis = OwnRedis.start();
    Map<String, String> env = Map.of("REDIS_URL", redis.url(), "REDIS_MODE", "standalone");
    String run = RoomApiProcess.random("relay-chaos-");
    owner = RoomApiProcess.start(run, RoomApiProcess.freePort(), env);
    other = RoomApiProcess.start(run, RoomApiProcess.freePort(), env);
    bridge = LiteSystemBridge.start(owner.breweryJid);
  }

  @AfterAll
  void stop() throws Exception {
    Closing.inOrder(bridge, other, owner, redis);
  }

  @Test
  void a_relayed_participant_keeps_signalling_while_redis_is_down_for_30_s() throws Exception {
    JsonNode room =
        new RoomApiClient(http, owner.baseUrl)
            .createRoom("Relay outage " + RoomApiProcess.random(""), "public", null, 8);
    String slug = room.path("slug").asText();
    // Ada's join makes the first node the owner; Rae's socket is on the other node
    try (Peer ada = new Peer(http, owner, slug, "Ada");
        Peer bob = new Peer(http, owner, slug, "Bob");
        Peer rae = new Peer(http, other, slug, "Rae");
        MediaWatch watch = new MediaWatch(List.of(ada, bob, rae))) {
      Eventually.within(
          Duration.ofSeconds(15),
          () -> {
            assertThat(other.relayedParticipants(http, "socket"))
                .as("Rae relayed from the other node")
                .isOne();
            assertThat(owner.relayedParticipants(http, "owner"))
                .as("Rae hosted on the owner")
                .isOne();
          });
      watch.awaitFlowing(Duration.ofSeconds(30));

      long downAt = System.nanoTime();
      redis.down();
      try {
        // at once, and again past the relay's heartbeat timeout (15 s)
        exchange("at once", ada, bob, rae, true);
        sleepUntil(downAt + TimeUnit.SECONDS.toNanos(20));
        exchange("twenty seconds in", ada, bob, rae, false);
        sleepUntil(downAt + REDIS_OUTAGE.toNanos());

        long gapMs = watch.longestGapMs();
        String media = watch.describe(downAt);
        assertThat(gapMs).as("media gap while Redis was down: " + media).isLessThan(1_000);
        for (Peer p : List.of(ada, bob, rae)) {
          assertThat(p.framesSince("participant-left", downAt))
              .as(p.id + " saw nobody leave")
              .isEmpty();
          assertThat(p.framesSince("reconnect", downAt))
              .as(p.id + " was not told to reconnect")
              .isEmpty();
        }
        assertThat(owner.relayedParticipants(http, "owner"))
            .as("Rae still hosted on the owner")
            .isOne();
        assertThat(other.relayedParticipants(http, "socket")).as("Rae still relayed").isOne();
        System.out.printf(
            "Redis down %d s with a relayed participant: longest media gap %d ms (%s)%n",
            REDIS_OUTAGE.toSeconds(), gapMs, media);
      } finally {
        redis.upIfDown();
      }
      long upAt = System.nanoTime();

      // after the outage: the relay still works both ways, and a new relayed join gets in
      exchange("after the outage", ada, bob, rae, true);
      Peer dan =
          Peer.joinRetrying(http, other, slug, "Dan", Duration.ofSeconds(30), new ArrayList<>());
      try (Peer d = dan) {
        assertThat(d.joinedFrame().path("participants").findValuesAsText("participantId"))
            .containsExactlyInAnyOrder(ada.id, bob.id, rae.id);
        Eventually.within(
            Duration.ofSeconds(15),
            () ->
                assertThat(owner.relayedParticipants(http, "owner"))
                    .as("Rae and Dan hosted")
                    .isEqualTo(2.0));
      }
    }
  }

  /**
   * Rae (relayed) changes her media state and chats; Ada and Bob (on the owner) get both. Ada chats
   * and Bob changes his media state; Rae gets both.
   */
  private static void exchange(String when, Peer ada, Peer bob, Peer rae, boolean audio)
      throws Exception {
    long at = System.nanoTime();
    rae.signalling.send("type", "media-state", "audio", audio, "video", true);
    String fromRae = "Rae, " + when;
    rae.signalling.send("type", "chat", "text", fromRae);
    for (Peer p : List.of(ada, bob)) {
      p.awaitFrame(
          "media-state",
          f ->
              f.path("participantId").asText().equals(rae.id)
                  && f.path("audio").asBoolean() == audio,
          at);
      p.awaitFrame("chat", f -> f.path("text").asText().equals(fromRae), at);
    }
    String fromAda = "Ada, " + when;
    ada.signalling.send("type", "chat", "text", fromAda);
    bob.signalling.send("type", "media-state", "audio", audio, "video", false);
    rae.awaitFrame("chat", f -> f.path("text").asText().equals(fromAda), at);
    rae.awaitFrame(
        "media-state",
        f ->
            f.path("participantId").asText().equals(bob.id)
                && f.path("audio").asBoolean() == audio
                && !f.path("video").asBoolean(),
        at);
    System.out.printf("relayed signalling %s: both ways in %d ms%n", when, msSince(at));
  }
}
