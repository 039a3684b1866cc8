package io.openmeet.systemtests;

import static io.openmeet.systemtests.Nanos.msSince;
import static io.openmeet.systemtests.Nanos.sleepUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openmeet.loadgen.RoomApiClient;
import io.openmeet.loadgen.SignallingClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Outages of the backing services during live calls (docs/ARCHITECTURE.md, "Outages"): two room-api
 * nodes of one deployment from the packaged jar, a lite-bridge, synthetic participants sending and
 * receiving RTP the whole time (one of them relayed: its socket is on the node that does not own
 * the room), and a Redis and a PostgreSQL of the test's own that it stops for 30 s and 60 s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Execution(ExecutionMode.CONCURRENT) // beside the light classes: see SuiteLanes
@ResourceLock(SuiteLanes.QUIET_MACHINE)
class OutageChaosTest {

  private static final Duration CONNECT = Duration.ofSeconds(30);
  private static final Duration REDIS_OUTAGE = Duration.ofSeconds(30);
  private static final Duration POSTGRES_OUTAGE = Duration.ofSeconds(60);

  private final HttpClient http = HttpClient.newHttpClient();
  private OwnRedis redis;
  private OwnPostgres postgres;

  /** The node that owns the calls (the participants' first joins go to it). */
  private RoomApiProcess api;

  /** The deployment's other node: a relayed participant's socket is on it. */
  private RoomApiProcess other;

  private LiteSystemBridge bridge;
  private RoomApiClient rest;

  @BeforeAll
  void start() throws Exception {
    redis = OwnRedis.start();
    postgres = OwnPostgres.start();
    Map<String, String> env = new HashMap<>(postgres.roomApiEnv());
    env.put("REDIS_URL", redis.url());
    env.put("REDIS_MODE", "standalone");
    String run = RoomApiProcess.random("chaos-");
    api = RoomApiProcess.start(run, RoomApiProcess.freePort(), env);
    other = RoomApiProcess.start(run, RoomApiProcess.freePort(), env);
    bridge = LiteSystemBridge.start(api.breweryJid);
    rest = new RoomApiClient(http, api.baseUrl);
  }

  @AfterAll
  void stop() throws Exception {
    Closing.inOrder(bridge, other, api, redis, postgres);
  }

  @Test
  @Order(1)
  void a_call_survives_redis_down_for_30_s_and_joins_work_again_without_restarts()
      throws Exception {
    JsonNode room = rest.createRoom("Redis outage " + RoomApiProcess.random(""), "public", null, 8);
    String slug = room.path("slug").asText();
    String roomId = room.path("id").asText();
    // Ada's join makes the first node the owner; Rae's socket is on the other node
    try (Peer ada = new Peer(http, api, slug, "Ada");
        Peer bob = new Peer(http, api, slug, "Bob");
        Peer cy = new Peer(http, api, slug, "Cy");
        Peer rae = new Peer(http, other, slug, "Rae");
        MediaWatch watch = new MediaWatch(List.of(ada, bob, cy, rae))) {
      Eventually.within(Duration.ofSeconds(15), () -> assertRelayed(1));
      watch.awaitFlowing(Duration.ofSeconds(30));
      // a token taken before the outage: the join itself is what must fail, and clearly
      String danToken = rest.joinToken(slug, "Dan", null);
      String leaseBefore = redis.cli("GET", "conference:" + roomId + ":lease");
      assertThat(leaseBefore).as("the node holds the room's lease").contains("#");

      RedisCall call = new RedisCall(roomId, slug, ada, bob, cy, rae, watch);
      long downAt = System.nanoTime();
      redis.down();
      try {
        redisOutage(call, danToken, downAt);
      } finally {
        redis.upIfDown();
      }
      afterRedisOutage(call, leaseBefore);
    }
  }

  /**
   * The call of the Redis outage: Ada, Bob and Cy on the owner, Rae relayed from the other node.
   */
  private record RedisCall(
      String roomId, String slug, Peer ada, Peer bob, Peer cy, Peer rae, MediaWatch watch) {}

  private void redisOutage(RedisCall call, String danToken, long downAt) throws Exception {
    Peer ada = call.ada();
    Peer bob = call.bob();
    Peer cy = call.cy();
    Peer rae = call.rae();
    // signalling between the joined participants goes on, relayed too (the node link does not
    // need Redis), and again past the lease's TTL (3 s) and the relay's heartbeat timeout (5 s)
    long mutedAt = System.nanoTime();
    ada.signalling.send("type", "media-state", "audio", false, "video", true);
    for (Peer p : List.of(bob, cy, rae)) {
      p.awaitFrame("media-state", f -> f.path("participantId").asText().equals(ada.id), mutedAt);
    }
    bob.signalling.send("type", "chat", "text", "still here?");
    cy.awaitFrame("chat", f -> f.path("text").asText().equals("still here?"), mutedAt);
    exchange("at once", ada, bob, rae, true);

    // a new join is refused at once with a typed error that says when to retry (once the node
    // has noticed: two unanswered PINGs, 500 ms apart)
    sleepUntil(downAt + TimeUnit.SECONDS.toNanos(2));
    SignallingClient dan = SignallingClient.connect(http, api.socket(call.slug()), Peer.WAIT);
    long joinSentAt = System.nanoTime();
    dan.send("type", "join", "token", danToken, "displayName", "Dan");
    JsonNode refused = dan.await("error", Duration.ofSeconds(15)).json();
    long refusedMs = msSince(joinSentAt);
    dan.close();
    assertThat(refused.path("code").asText())
        .as(refused.toString())
        .isEqualTo("service-unavailable");
    assertThat(refused.path("retryAfterMs").asLong()).as(refused.toString()).isEqualTo(2000);

    // REST that needs Redis says so, typed, with Retry-After
    long restAt = System.nanoTime();
    HttpResponse<String> create =
        http.send(
            HttpRequest.newBuilder(api.baseUrl.resolve("/api/rooms"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"During\",\"access\":\"public\"}"))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    long restMs = msSince(restAt);
    assertThat(create.statusCode()).as(create.body()).isEqualTo(503);
    assertThat(create.body()).contains("\"code\":\"service-unavailable\"");
    // the same 2 s as signalling's retryAfterMs
    assertThat(create.headers().firstValue("Retry-After")).hasValue("2");
    assertThat(ready()).as("readiness while Redis is down").isEqualTo(503);

    // past the lease's TTL and the relay's heartbeat timeout: mute, chat and a leave still reach
    // the others
    sleepUntil(downAt + TimeUnit.SECONDS.toNanos(20));
    long lateAt = System.nanoTime();
    cy.signalling.send("type", "chat", "text", "twenty seconds in");
    for (Peer p : List.of(ada, bob, rae)) {
      p.awaitFrame("chat", f -> f.path("text").asText().equals("twenty seconds in"), lateAt);
    }
    cy.signalling.send("type", "leave");
    for (Peer p : List.of(ada, bob, rae)) {
      p.awaitFrame("participant-left", f -> f.path("participantId").asText().equals(cy.id), lateAt);
    }
    call.watch().drop(cy);
    long lateSignallingMs = msSince(lateAt);
    exchange("twenty seconds in", ada, bob, rae, false);

    sleepUntil(downAt + REDIS_OUTAGE.toNanos());
    long gapDuringOutageMs = call.watch().longestGapMs();
    String outageMedia = call.watch().describe(downAt);
    // nobody but Cy left, nobody was told to reconnect, Rae is still relayed
    for (Peer p : List.of(ada, bob, rae)) {
      assertThat(p.framesSince("participant-left", downAt))
          .as(p.id + " saw only Cy leave")
          .allMatch(f -> f.path("participantId").asText().equals(cy.id));
      assertThat(p.framesSince("reconnect", downAt))
          .as(p.id + " was not told to reconnect")
          .isEmpty();
    }
    assertRelayed(1);
    System.out.printf(
        "Redis down %d s during a call (one participant relayed): longest media gap %d ms (over"
            + " %s); join refused in %d ms (%s); REST 503 in %d ms; signalling after 20 s took %d"
            + " ms%n",
        REDIS_OUTAGE.toSeconds(),
        gapDuringOutageMs,
        outageMedia,
        refusedMs,
        refused,
        restMs,
        lateSignallingMs);
    assertThat(gapDuringOutageMs)
        .as("media gap while Redis was down: " + outageMedia)
        .isLessThan(1_000);
    assertThat(refusedMs).as("time to refuse a join").isLessThan(5_000);
    assertThat(restMs).as("time to answer 503").isLessThan(5_000);
  }

  private void afterRedisOutage(RedisCall call, String leaseBefore) throws Exception {
    long upAt = System.nanoTime();
    Peer ada = call.ada();
    Peer bob = call.bob();
    Peer rae = call.rae();
    // joins work again, relayed ones too: retried like the web app would, with fresh tokens; Dan
    // joins on the other node, so a second conference for the room there (a lease taken before
    // the owner wrote its own again) would show as a Dan who sees nobody
    List<String> failures = new ArrayList<>();
    Peer danPeer =
        Peer.joinRetrying(http, other, call.slug(), "Dan", Duration.ofSeconds(30), failures);
    long recoveryMs = msSince(upAt);
    try (Peer d = danPeer) {
      // nobody ghosted: Dan sees exactly Ada, Bob and Rae
      assertThat(d.joinedFrame().path("participants").findValuesAsText("participantId"))
          .containsExactlyInAnyOrder(ada.id, bob.id, rae.id);
      Eventually.within(Duration.ofSeconds(15), () -> assertRelayed(2));
      // the relay still works both ways
      exchange("after the outage", ada, bob, rae, true);
      call.watch().add(d);
      call.watch().awaitFlowing(Duration.ofSeconds(20));
      // the shared state is written again: the lease (same epoch) and the presence of everyone
      String leaseAfter = redis.cli("GET", "conference:" + call.roomId() + ":lease");
      assertThat(leaseAfter).as("lease after the outage").isEqualTo(leaseBefore);
      Eventually.within(
          Duration.ofSeconds(10),
          () -> {
            String present = redis.cli("SMEMBERS", "room:" + call.roomId() + ":participants");
            assertThat(present.split("\n"))
                .as("presence of the room")
                .containsExactlyInAnyOrder(ada.id, bob.id, rae.id, d.id);
            assertThat(redis.cli("KEYS", api.run + ":*")).as("bridge snapshots").isNotEmpty();
          });
      assertThat(ready()).isEqualTo(200);
      System.out.printf(
          "after Redis was back: first (relayed) join in %d ms (%d refusals before)%n",
          recoveryMs, failures.size());
    }
  }

  /** {@code hosted} relayed participants on the owner; Rae's socket relayed from the other node. */
  private void assertRelayed(int hosted) throws Exception {
    assertThat(api.relayedParticipants(http, "owner"))
        .as("relayed participants hosted on the owner")
        .isEqualTo(hosted);
    assertThat(other.relayedParticipants(http, "socket"))
        .as("participants relayed from the other node")
        .isEqualTo(hosted);
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

  @Test
  @Order(2)
  void a_call_survives_postgres_down_for_60_s_and_no_call_record_is_lost() throws Exception {
    JsonNode room =
        rest.createRoom("Postgres outage " + RoomApiProcess.random(""), "public", null, 8);
    String slug = room.path("slug").asText();
    JsonNode second = rest.createRoom("Short call " + RoomApiProcess.random(""), "public", null, 8);
    String secondId = second.path("id").asText();
    String moderatorToken = second.path("token").asText();
    String guestToken = rest.joinToken(second.path("slug").asText(), "Fay", null);
    String auditBefore =
        postgres.query("SELECT count(*) FROM audit_events WHERE action = 'participant.mute'");
    // retried like the web app: within one lease TTL of Redis coming back empty (the first test)
    // no node starts a new conference (docs/ARCHITECTURE.md, "Outages")
    try (Peer ada =
            Peer.joinRetrying(http, api, slug, "Ada", Duration.ofSeconds(30), new ArrayList<>());
        Peer bob = new Peer(http, api, slug, "Bob");
        MediaWatch watch = new MediaWatch(List.of(ada, bob))) {
      watch.awaitFlowing(Duration.ofSeconds(20));

      long downAt = System.nanoTime();
      postgres.down();

      // a whole call starts and ends while the database is down, with a moderator action
      SignallingClient eve =
          SignallingClient.connect(http, api.socket(second.path("slug").asText()), Peer.WAIT);
      eve.send("type", "join", "token", moderatorToken, "displayName", "Eve");
      JsonNode eveJoined = eve.await("joined", Peer.WAIT).json();
      SignallingClient fay =
          SignallingClient.connect(http, api.socket(second.path("slug").asText()), Peer.WAIT);
      fay.send("type", "join", "token", guestToken, "displayName", "Fay");
      String fayId = fay.await("joined", Peer.WAIT).json().path("participantId").asText();
      eve.await("participant-joined", Peer.WAIT);
      eve.send("type", "moderate", "action", "mute", "participantId", fayId, "media", "audio");
      fay.await("force-muted", Peer.WAIT);
      fay.send("type", "leave");
      eve.send("type", "leave");
      fay.close();
      eve.close();
      assertThat(eveJoined.path("moderator").asBoolean()).isTrue();

      // REST that needs the database: typed 503, quickly
      long restAt = System.nanoTime();
      HttpResponse<String> get =
          http.send(
              HttpRequest.newBuilder(api.baseUrl.resolve("/api/rooms/" + secondId))
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      long restMs = msSince(restAt);
      assertThat(get.statusCode()).as(get.body()).isEqualTo(503);
      assertThat(get.body()).contains("\"code\":\"service-unavailable\"");
      assertThat(get.headers().firstValue("Retry-After")).hasValue("2");
      Eventually.within(Duration.ofSeconds(10), () -> assertThat(ready()).isEqualTo(503));

      // the call goes on: signalling too
      long chatAt = System.nanoTime();
      ada.signalling.send("type", "chat", "text", "no database");
      bob.awaitFrame("chat", f -> f.path("text").asText().equals("no database"), chatAt);

      sleepUntil(downAt + POSTGRES_OUTAGE.toNanos());
      long gapMs = watch.longestGapMs();
      postgres.up();
      long upAt = System.nanoTime();

      String atEnd = watch.describe(downAt);
      Eventually.within(Duration.ofSeconds(20), () -> assertThat(ready()).isEqualTo(200));
      long readyMs = msSince(upAt);
      // the short call's records arrive: started, both participants, ended
      Eventually.within(
          Duration.ofSeconds(30),
          () ->
              assertThat(
                      postgres.query(
                          "SELECT count(*) || '/' || bool_and(ended_at IS NOT NULL) || '/'"
                              + " || max(total_participants) FROM call_logs WHERE room_id = '"
                              + secondId
                              + "'"))
                  .isEqualTo("1/true/2"));
      long recordsMs = msSince(upAt);
      assertThat(
              postgres.query(
                  "SELECT count(*) FROM participants p JOIN call_logs c ON p.call_log_id = c.id"
                      + " WHERE c.room_id = '"
                      + secondId
                      + "' AND p.left_at IS NOT NULL"))
          .isEqualTo("2");
      Eventually.within(
          Duration.ofSeconds(30),
          () ->
              assertThat(
                      Long.parseLong(
                          postgres.query(
                              "SELECT count(*) FROM audit_events WHERE action = 'participant.mute'")))
                  .isEqualTo(Long.parseLong(auditBefore) + 1));
      long auditMs = msSince(upAt);
      HttpResponse<String> after =
          http.send(
              HttpRequest.newBuilder(api.baseUrl.resolve("/api/rooms/" + secondId)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
      System.out.printf(
          "Postgres down %d s during a call: longest media gap %d ms (over %s); REST 503 in %d ms;"
              + " ready again %d ms after the database, the outage's call records in %d ms, its"
              + " audit event in %d ms%n",
          POSTGRES_OUTAGE.toSeconds(), gapMs, atEnd, restMs, readyMs, recordsMs, auditMs);
      assertThat(gapMs).as("media gap while Postgres was down: " + atEnd).isLessThan(1_000);
      assertThat(restMs).as("time to answer 503").isLessThan(10_000);
    }
  }

  private int ready() throws Exception {
    return http.send(
            HttpRequest.newBuilder(api.baseUrl.resolve("/q/health/ready"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
