package io.openmeet.roomapi.signalling;

import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.roomapi.support.Api;
import io.openmeet.roomapi.support.SignallingSocket;
import io.openmeet.roomapi.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.smallrye.jwt.build.Jwt;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Join tokens follow the room: a token issued before the room's access changed no longer joins, a
 * kicked participant's token (and user) cannot come back, join tokens live at most two hours and
 * are not issued in the future, and the signed name is the name. Real sockets, the real focus, no
 * bridge (the same profile as {@link SignallingLimitsTest}).
 */
@QuarkusTest
@TestProfile(SignallingLimitsTest.Limits.class)
class TokenRevocationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static String token(String slug, Map<String, Object> body, String bearer) {
    var request = bearer == null ? json() : json(bearer);
    var r = request.body(body).post("/api/rooms/" + slug + "/tokens");
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
    return r.jsonPath().getString("token");
  }

  private static String join(String token, String displayName) throws Exception {
    var frame = new java.util.LinkedHashMap<String, Object>();
    frame.put("type", "join");
    frame.put("token", token);
    if (displayName != null) {
      frame.put("displayName", displayName);
    }
    return JSON.writeValueAsString(frame);
  }

  @Test
  void a_token_from_before_the_room_became_password_only_no_longer_joins() throws Exception {
    JsonPath room = Api.createRoom(Map.of("name", Api.uniqueName("Open"), "maxParticipants", 50));
    String slug = room.getString("slug");
    String early = token(slug, Map.of("displayName", "Mallory"), null);
    json(room.getString("token"))
        .body(Map.of("access", "password", "password", "secret-1"))
        .patch("/api/rooms/" + room.getString("id"))
        .then()
        .statusCode(200);
    String fresh = token(slug, Map.of("displayName", "Mallory", "password", "secret-1"), null);

    try (SignallingSocket c = SignallingSocket.open(slug)) {
      c.send(join(early, null));
      JsonNode error = c.await("error");
      assertThat(error.get("code").asText()).isEqualTo("token-revoked");
      // the socket stays: a token of the room as it is now joins
      c.send(join(fresh, null));
      c.await("joined");
    }

    // a new password revokes again, the moderator's own REST access stays
    String withFirstPassword = fresh;
    json(room.getString("token"))
        .body(Map.of("password", "secret-2"))
        .patch("/api/rooms/" + room.getString("id"))
        .then()
        .statusCode(200);
    try (SignallingSocket c = SignallingSocket.open(slug)) {
      c.send(join(withFirstPassword, null));
      assertThat(c.await("error").get("code").asText()).isEqualTo("token-revoked");
    }
    // a change that does not touch who may enter keeps tokens valid
    String current = token(slug, Map.of("displayName", "Ada", "password", "secret-2"), null);
    json(room.getString("token"))
        .body(Map.of("name", "Renamed", "maxParticipants", 40))
        .patch("/api/rooms/" + room.getString("id"))
        .then()
        .statusCode(200);
    try (SignallingSocket c = SignallingSocket.open(slug)) {
      c.send(join(current, null));
      c.await("joined");
    }
  }

  @Test
  void a_kicked_participant_cannot_come_back_with_the_same_token_nor_as_the_same_user()
      throws Exception {
    JsonPath room = Api.createRoom(Map.of("name", Api.uniqueName("Kick"), "maxParticipants", 50));
    String slug = room.getString("slug");
    String moderator = room.getString("token");
    String guest = token(slug, Map.of("displayName", "Bob"), null);
    String userId = UUID.randomUUID().toString();
    String userToken = TestTokens.user(userId, "Cy", null);
    String cy = token(slug, Map.of(), userToken);
    String cyAgain = token(slug, Map.of(), userToken);
    String other = token(slug, Map.of("displayName", "Dee"), null);

    try (SignallingSocket host = SignallingSocket.open(slug);
        SignallingSocket bob = SignallingSocket.open(slug);
        SignallingSocket cyClient = SignallingSocket.open(slug)) {
      host.send(join(moderator, null));
      host.await("joined");
      bob.send(join(guest, null));
      String bobId = bob.await("joined").get("participantId").asText();
      cyClient.send(join(cy, null));
      String cyId = cyClient.await("joined").get("participantId").asText();

      host.send(
          JSON.writeValueAsString(
              Map.of("type", "moderate", "action", "kick", "participantId", bobId)));
      host.send(
          JSON.writeValueAsString(
              Map.of("type", "moderate", "action", "kick", "participantId", cyId)));
      bob.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      cyClient.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    try (SignallingSocket back = SignallingSocket.open(slug)) {
      back.send(join(guest, null));
      JsonNode error = back.await("error");
      assertThat(error.get("code").asText()).isEqualTo("token-revoked");
      assertThat(error.get("message").asText()).contains("removed");
      // a registered user is banned as a user: a new token of the same user does not help
      back.send(join(cyAgain, null));
      assertThat(back.awaitNth("error", 2).get("code").asText()).isEqualTo("token-revoked");
      // others are not affected
      back.send(join(other, null));
      back.await("joined");
    }
  }

  @Test
  void join_tokens_live_at_most_two_hours_and_are_not_issued_in_the_future() throws Exception {
    JsonPath room = Api.createPublicRoom();
    String slug = room.getString("slug");
    String id = room.getString("id");
    long now = Instant.now().getEpochSecond();
    String longLived = signed(slug, id, now - 60, now - 60 + 3 * 3600);
    String fromTheFuture = signed(slug, id, now + 300, now + 600);
    String slightlyAhead = signed(slug, id, now + 20, now + 3600);
    try (SignallingSocket c = SignallingSocket.open(slug)) {
      c.send(join(longLived, null));
      JsonNode first = c.await("error");
      assertThat(first.get("code").asText()).isEqualTo("invalid-token");
      c.send(join(fromTheFuture, null));
      assertThat(c.awaitNth("error", 2).get("code").asText()).isEqualTo("invalid-token");
      // clocks drift: within the skew it joins
      c.send(join(slightlyAhead, null));
      c.await("joined");
    }
    // our own tokens stay within the cap
    String ours = token(slug, Map.of("displayName", "Ada"), null);
    JsonNode claims = JSON.readTree(TestTokens.part(ours, 1));
    assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isLessThanOrEqualTo(7200);
    assertThat(claims.get("accessVersion").asInt()).isZero();
  }

  @Test
  void the_signed_name_is_the_name_whatever_the_join_frame_says() throws Exception {
    JsonPath room = Api.createPublicRoom();
    String slug = room.getString("slug");
    String host = room.getString("token");
    String bob = token(slug, Map.of("displayName", "Bob"), null);
    try (SignallingSocket h = SignallingSocket.open(slug);
        SignallingSocket b = SignallingSocket.open(slug)) {
      h.send(join(host, "Host"));
      h.await("joined");
      b.send(join(bob, "The Moderator"));
      b.await("joined");
      JsonNode joined = h.await("participant-joined");
      assertThat(joined.at("/participant/displayName").asText()).isEqualTo("Bob");
      b.send(JSON.writeValueAsString(Map.of("type", "chat", "text", "hi")));
      assertThat(h.await("chat").get("displayName").asText()).isEqualTo("Bob");
    }
  }

  private static String signed(String slug, String roomId, long iat, long exp) {
    return TestTokens.signWithDevKey(
        Jwt.issuer(TestTokens.ISSUER)
            .audience(TestTokens.AUDIENCE)
            .subject("meet.local")
            .issuedAt(iat)
            .expiresAt(exp)
            .claim("jti", UUID.randomUUID().toString())
            .claim("room", slug)
            .claim("roomId", roomId)
            .claim("moderator", false)
            .claim("context", Map.of("user", Map.of("id", "guest-idp", "name", "Idp"))));
  }
}
