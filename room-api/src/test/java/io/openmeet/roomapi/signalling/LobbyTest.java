package io.openmeet.roomapi.signalling;

import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.openmeet.roomapi.audit.AuditEvent;
import io.openmeet.roomapi.support.Api;
import io.openmeet.roomapi.support.AuditRows;
import io.openmeet.roomapi.support.SignallingSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The lobby over real sockets, Redis and Postgres: in a room with {@code lobbyEnabled} a
 * non-moderator waits and gets nothing of the call until a moderator (over signalling or REST) lets
 * it in; denied waiters are closed and their token refused; moderators hear of knocks and waiters
 * hear whether a moderator is there.
 */
@QuarkusTest
@TestProfile(SignallingLimitsTest.Limits.class)
class LobbyTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject AgroalDataSource dataSource;

  /**
   * A room with a lobby, created by a registered owner; answers its JSON (with the owner's token).
   */
  private static JsonPath lobbyRoom(boolean lobby) {
    return Api.createRoom(Map.of("name", Api.uniqueName("Lobby"), "lobbyEnabled", lobby));
  }

  private static String guestToken(String slug, String name) {
    return json()
        .body(Map.of("displayName", name))
        .post("/api/rooms/" + slug + "/tokens")
        .then()
        .statusCode(200)
        .extract()
        .path("token");
  }

  private static String frame(Object... keyValues) throws Exception {
    var fields = new java.util.LinkedHashMap<String, Object>();
    for (int i = 0; i < keyValues.length; i += 2) {
      fields.put((String) keyValues[i], keyValues[i + 1]);
    }
    return JSON.writeValueAsString(fields);
  }

  /**
   * Waits until the room's lobby counts a moderator as present: a moderator's presence is written
   * by the lobby's own thread after its "joined" went out, so a waiter arriving at once could
   * otherwise be told nobody moderates.
   */
  private static void awaitModeratorPresent(String roomId, String moderatorToken)
      throws InterruptedException {
    long deadline = System.nanoTime() + SignallingSocket.WAIT.toNanos();
    while (!json(moderatorToken)
        .get("/api/rooms/" + roomId + "/lobby")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getBoolean("moderatorPresent")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no moderator present within " + SignallingSocket.WAIT);
      }
      Thread.sleep(20);
    }
  }

  private static SignallingSocket join(String slug, String token) throws Exception {
    var s = SignallingSocket.open(slug);
    s.send(frame("type", "join", "token", token));
    return s;
  }

  @Test
  void a_waiter_gets_nothing_of_the_call_until_a_moderator_admits_it_and_then_joins()
      throws Exception {
    AuditRows rows = new AuditRows(dataSource);
    JsonPath room = lobbyRoom(true);
    String slug = room.getString("slug");
    UUID roomId = UUID.fromString(room.getString("id"));
    try (var host = join(slug, room.getString("token"))) {
      host.await("joined");
      host.await("offer");
      awaitModeratorPresent(roomId.toString(), room.getString("token"));
      try (var guest = join(slug, guestToken(slug, "Gus"))) {
        JsonNode waiting = guest.await("lobby-waiting");
        String waiterId = waiting.get("participantId").asText();
        assertThat(waiting.get("moderatorPresent").asBoolean()).isTrue();
        assertThat(waiting.get("roomId").asText()).isEqualTo(roomId.toString());
        JsonNode request = host.await("lobby-request");
        assertThat(request.get("participantId").asText()).isEqualTo(waiterId);
        assertThat(request.get("displayName").asText()).isEqualTo("Gus");

        // the call goes on without the waiter: chat and media state reach the host only
        host.send(frame("type", "chat", "text", "before you came"));
        host.send(frame("type", "media-state", "audio", false, "video", true));
        host.await("chat");
        // what the waiter may not do is refused, and changes nothing
        guest.send(frame("type", "chat", "text", "let me in"));
        guest.send(frame("type", "answer", "sdp", "v=0"));
        guest.send(frame("type", "lobby-admit", "participantId", waiterId));
        guest.send(frame("type", "join", "token", guestToken(slug, "Gus again")));
        guest.send(frame("type", "ping", "ts", 1));
        guest.await("pong");
        assertThat(guest.types())
            .containsExactly("lobby-waiting", "error", "error", "error", "error", "pong");
        assertThat(guest.frames.get(1)).contains("unexpected-message");
        assertThat(guest.frames.get(2)).contains("unexpected-message");
        assertThat(guest.frames.get(3)).contains("not-moderator");
        assertThat(guest.frames.get(4)).contains("unexpected-message");
        assertThat(host.types()).doesNotContain("participant-joined");

        host.send(frame("type", "lobby-admit", "participantId", waiterId));
        JsonNode joined = guest.await("joined");
        guest.await("offer");
        assertThat(joined.get("participants").findValuesAsText("displayName")).contains("Host");
        String guestId = joined.get("participantId").asText();
        assertThat(host.await("lobby-left").get("reason").asText()).isEqualTo("admitted");
        assertThat(
                host.await("participant-joined").get("participant").get("participantId").asText())
            .isEqualTo(guestId);
        // once in, the guest is an ordinary participant (and still no moderator)
        guest.send(frame("type", "chat", "text", "thanks"));
        assertThat(host.awaitNth("chat", 2).get("text").asText()).isEqualTo("thanks");
        guest.send(frame("type", "lobby-admit", "participantId", "lobby-000000000000"));
        assertThat(guest.awaitNth("error", 5).get("code").asText()).isEqualTo("not-moderator");
        // admitting twice: the waiter is gone
        host.send(frame("type", "lobby-admit", "participantId", waiterId));
        assertThat(host.await("error").get("code").asText()).isEqualTo("not-in-lobby");
      }
    }
    rows.awaitStored(AuditEvent.LOBBY_ADMIT, roomId);
    assertThat(rows.exactlyOne(AuditEvent.LOBBY_ADMIT, roomId).participantId())
        .startsWith("lobby-");
  }

  @Test
  void a_denied_waiter_is_told_closed_and_its_token_refused() throws Exception {
    AuditRows rows = new AuditRows(dataSource);
    JsonPath room = lobbyRoom(true);
    String slug = room.getString("slug");
    UUID roomId = UUID.fromString(room.getString("id"));
    String token = guestToken(slug, "Dee");
    try (var host = join(slug, room.getString("token"));
        var guest = join(slug, token)) {
      host.await("joined");
      String waiterId = guest.await("lobby-waiting").get("participantId").asText();
      host.await("lobby-request");
      host.send(frame("type", "lobby-deny", "participantId", waiterId));
      guest.await("lobby-denied");
      assertThat(guest.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
      assertThat(guest.closeReason).isEqualTo("lobby-denied");
      assertThat(guest.types()).doesNotContain("joined", "offer");
      assertThat(host.await("lobby-left").get("reason").asText()).isEqualTo("denied");

      // the same token cannot knock again; a new one can
      try (var again = join(slug, token)) {
        assertThat(again.await("error").get("code").asText()).isEqualTo("token-revoked");
        assertThat(again.types()).doesNotContain("lobby-waiting");
      }
      try (var fresh = join(slug, guestToken(slug, "Dee"))) {
        fresh.await("lobby-waiting");
      }
    }
    rows.awaitStored(AuditEvent.LOBBY_DENY, roomId);
    assertThat(rows.exactlyOne(AuditEvent.LOBBY_DENY, roomId).actor()).startsWith("guest-");
  }

  @Test
  void rest_lists_admits_all_and_refuses_non_moderators_unknown_ids_and_rooms_without_lobby()
      throws Exception {
    AuditRows rows = new AuditRows(dataSource);
    JsonPath room = lobbyRoom(true);
    String slug = room.getString("slug");
    String id = room.getString("id");
    String moderator = room.getString("token");
    String guest = guestToken(slug, "Nosy");
    try (var a = join(slug, guestToken(slug, "Ann"));
        var b = join(slug, guestToken(slug, "Ben"))) {
      a.await("lobby-waiting");
      b.await("lobby-waiting");
      // nobody moderates yet
      assertThat(a.frames.get(0)).contains("\"moderatorPresent\":false");
      var listed =
          json(moderator).get("/api/rooms/" + id + "/lobby").then().statusCode(200).extract();
      assertThat(listed.jsonPath().getList("waiters.displayName")).containsExactly("Ann", "Ben");
      assertThat(listed.jsonPath().getBoolean("moderatorPresent")).isFalse();
      assertThat(listed.jsonPath().getBoolean("lobbyEnabled")).isTrue();

      // not a moderator, no token, unknown waiter: typed errors, nobody is let in
      json(guest)
          .post("/api/rooms/" + id + "/lobby/admit-all")
          .then()
          .statusCode(403)
          .body("type", org.hamcrest.Matchers.endsWith("forbidden"));
      json().get("/api/rooms/" + id + "/lobby").then().statusCode(401);
      json(moderator)
          .post("/api/rooms/" + id + "/lobby/lobby-nobody/admit")
          .then()
          .statusCode(404)
          .body("type", org.hamcrest.Matchers.endsWith("not-in-lobby"));
      json(moderator).post("/api/rooms/" + id + "/lobby/lobby-nobody/deny").then().statusCode(404);
      assertThat(a.types()).containsExactly("lobby-waiting");

      List<String> admitted =
          json(moderator)
              .post("/api/rooms/" + id + "/lobby/admit-all")
              .then()
              .statusCode(200)
              .extract()
              .jsonPath()
              .getList("admitted");
      assertThat(admitted).hasSize(2);
      a.await("joined");
      b.await("joined");
      a.await("offer");
      assertThat(
              json(moderator)
                  .get("/api/rooms/" + id + "/lobby")
                  .then()
                  .statusCode(200)
                  .extract()
                  .jsonPath()
                  .getList("waiters"))
          .isEmpty();
    }
    rows.awaitStored(AuditEvent.LOBBY_ADMIT, UUID.fromString(id));
    assertThat(rows.about(AuditEvent.LOBBY_ADMIT, UUID.fromString(id))).hasSize(2);

    JsonPath plain = lobbyRoom(false);
    String plainId = plain.getString("id");
    json(plain.getString("token"))
        .get("/api/rooms/" + plainId + "/lobby")
        .then()
        .statusCode(409)
        .body("type", org.hamcrest.Matchers.endsWith("no-lobby"));
    json(plain.getString("token"))
        .post("/api/rooms/" + plainId + "/lobby/admit-all")
        .then()
        .statusCode(409);
    // in a room without lobby a guest joins at once, and lobby frames are refused
    try (var host = join(plain.getString("slug"), plain.getString("token"));
        var g = join(plain.getString("slug"), guestToken(plain.getString("slug"), "Quick"))) {
      g.await("joined");
      host.await("joined");
      host.send(frame("type", "lobby-admit-all"));
      assertThat(host.await("error").get("code").asText()).isEqualTo("no-lobby");
      host.send(frame("type", "lobby-deny"));
      assertThat(host.awaitNth("error", 2).get("code").asText()).isEqualTo("invalid-message");
      host.send(frame("type", "lobby-admit", "participantId", 7));
      assertThat(host.awaitNth("error", 3).get("code").asText()).isEqualTo("invalid-message");
    }
  }

  @Test
  void waiters_hear_when_the_last_moderator_leaves_and_when_one_comes_back() throws Exception {
    JsonPath room = lobbyRoom(true);
    String slug = room.getString("slug");
    String moderator = room.getString("token");
    var host = join(slug, moderator);
    host.await("joined");
    awaitModeratorPresent(room.getString("id"), moderator);
    try (var guest = join(slug, guestToken(slug, "Wes"))) {
      String waiterId = guest.await("lobby-waiting").get("participantId").asText();
      assertThat(guest.frames.get(0)).contains("\"moderatorPresent\":true");
      host.await("lobby-request");
      host.send(frame("type", "leave"));
      host.closed.get(10, TimeUnit.SECONDS);
      JsonNode alone = guest.awaitNth("lobby-waiting", 2);
      assertThat(alone.get("moderatorPresent").asBoolean()).isFalse();
      assertThat(alone.get("participantId").asText()).isEqualTo(waiterId);

      // a moderator arriving later hears of the waiter, and the waiter of the moderator
      try (var back = join(slug, moderator)) {
        back.await("joined");
        assertThat(back.await("lobby-request").get("participantId").asText()).isEqualTo(waiterId);
        assertThat(guest.awaitNth("lobby-waiting", 3).get("moderatorPresent").asBoolean()).isTrue();
        back.send(frame("type", "lobby-admit-all"));
        guest.await("joined");
      }
    } finally {
      host.close();
    }
  }

  @Test
  void turning_the_lobby_off_lets_everyone_waiting_in_and_later_guests_join_at_once()
      throws Exception {
    JsonPath room = lobbyRoom(true);
    String slug = room.getString("slug");
    String id = room.getString("id");
    String moderator = room.getString("token");
    try (var waiter = join(slug, guestToken(slug, "Patient"))) {
      waiter.await("lobby-waiting");
      // a change that keeps the lobby lets nobody in
      json(moderator)
          .body(Map.of("name", "Renamed"))
          .patch("/api/rooms/" + id)
          .then()
          .statusCode(200);
      Thread.sleep(500); // an admission would travel over Redis pub/sub: give it time to show
      assertThat(waiter.types()).containsExactly("lobby-waiting");
      json(moderator)
          .body(Map.of("lobbyEnabled", false))
          .patch("/api/rooms/" + id)
          .then()
          .statusCode(200)
          .body("lobbyEnabled", org.hamcrest.Matchers.is(false));
      waiter.await("joined");
      try (var late = join(slug, guestToken(slug, "Late"))) {
        late.await("joined");
        assertThat(late.types()).doesNotContain("lobby-waiting");
      }
    }
  }

  @Test
  void a_waiter_that_disconnects_leaves_the_lobby_and_moderators_are_told() throws Exception {
    JsonPath room = lobbyRoom(true);
    String slug = room.getString("slug");
    String id = room.getString("id");
    String moderator = room.getString("token");
    try (var host = join(slug, moderator)) {
      host.await("joined");
      var guest = join(slug, guestToken(slug, "Gone"));
      String waiterId = guest.await("lobby-waiting").get("participantId").asText();
      host.await("lobby-request");
      guest.close(); // no close frame: the connection drops
      JsonNode left = host.await("lobby-left");
      assertThat(left.get("participantId").asText()).isEqualTo(waiterId);
      assertThat(left.get("reason").asText()).isEqualTo("left");
      assertThat(
              json(moderator)
                  .get("/api/rooms/" + id + "/lobby")
                  .then()
                  .statusCode(200)
                  .extract()
                  .jsonPath()
                  .getList("waiters"))
          .isEmpty();
      host.send(frame("type", "lobby-admit", "participantId", waiterId));
      assertThat(host.await("error").get("code").asText()).isEqualTo("not-in-lobby");
    }
  }
}
