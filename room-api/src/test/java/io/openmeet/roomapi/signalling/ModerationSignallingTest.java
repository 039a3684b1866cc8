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
import io.openmeet.roomapi.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Moderation over real sockets: force-mute and allow-unmute, raised hands, and ending the meeting
 * for everyone; only moderators may act on others (same profile as {@link SignallingLimitsTest}).
 */
@QuarkusTest
@TestProfile(SignallingLimitsTest.Limits.class)
class ModerationSignallingTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject AgroalDataSource dataSource;

  private record Room(String slug, UUID id, String moderatorToken, String ownerId) {}

  private static Room newRoom() {
    String ownerId = UUID.randomUUID().toString();
    var created =
        json(TestTokens.user(ownerId, "Owner", null))
            .body(Map.of("name", Api.uniqueName("Moderation")))
            .post("/api/rooms")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    return new Room(
        created.getString("slug"),
        UUID.fromString(created.getString("id")),
        created.getString("token"),
        ownerId);
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

  private static String frame(Object... keysAndValues) throws Exception {
    Map<String, Object> fields = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      fields.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return JSON.writeValueAsString(fields);
  }

  /** Joins and answers the participant id. */
  private static String join(SignallingSocket socket, String token) throws Exception {
    socket.send(frame("type", "join", "token", token));
    return socket.await("joined").get("participantId").asText();
  }

  private static List<JsonNode> all(SignallingSocket socket, String type) throws Exception {
    List<JsonNode> out = new java.util.ArrayList<>();
    for (String f : socket.frames) {
      JsonNode n = JSON.readTree(f);
      if (n.get("type").asText().equals(type)) {
        out.add(n);
      }
    }
    return out;
  }

  @Test
  void a_participant_who_is_not_a_moderator_cannot_mute_allow_lower_hands_or_end()
      throws Exception {
    Room room = newRoom();
    try (var host = SignallingSocket.open(room.slug());
        var bob = SignallingSocket.open(room.slug());
        var cy = SignallingSocket.open(room.slug())) {
      join(host, room.moderatorToken());
      join(bob, guestToken(room.slug(), "Bob"));
      String cyId = join(cy, guestToken(room.slug(), "Cy"));
      cy.send(frame("type", "raise-hand", "raised", true));
      bob.await("hand-raised");

      bob.send(frame("type", "moderate", "action", "mute", "participantId", cyId));
      bob.send(
          frame("type", "moderate", "action", "mute", "participantId", cyId, "media", "video"));
      bob.send(frame("type", "moderate", "action", "allow-unmute", "participantId", cyId));
      bob.send(frame("type", "moderate", "action", "lower-hand", "participantId", cyId));
      bob.send(frame("type", "end-meeting"));
      for (int i = 1; i <= 5; i++) {
        assertThat(bob.awaitNth("error", i).get("code").asText()).isEqualTo("not-moderator");
      }
      // nothing happened: the round trip of a later frame shows nobody was told anything
      cy.send(frame("type", "ping", "ts", 7));
      cy.await("pong");
      host.send(frame("type", "ping", "ts", 8));
      host.await("pong");
      for (var socket : List.of(host, bob, cy)) {
        assertThat(socket.types()).doesNotContain("force-muted", "muted", "participant-left");
        assertThat(all(socket, "hand-raised")).hasSize(1);
      }
      assertThat(new AuditRows(dataSource).about(AuditEvent.MEETING_END, room.id())).isEmpty();

      // malformed moderation frames get typed errors
      host.send(
          frame("type", "moderate", "action", "mute", "participantId", cyId, "media", "screen"));
      assertThat(host.await("error").get("code").asText()).isEqualTo("invalid-message");
      host.send(frame("type", "raise-hand", "raised", "yes"));
      assertThat(host.awaitNth("error", 2).get("code").asText()).isEqualTo("invalid-message");
      host.send(frame("type", "moderate", "action", "mute", "participantId", "nobody"));
      assertThat(host.awaitNth("error", 3).get("code").asText()).isEqualTo("invalid-message");
    }
  }

  @Test
  void a_force_mute_reaches_everyone_is_audited_and_allowing_unmute_clears_it() throws Exception {
    Room room = newRoom();
    AuditRows rows = new AuditRows(dataSource);
    try (var host = SignallingSocket.open(room.slug());
        var bob = SignallingSocket.open(room.slug())) {
      String hostId = join(host, room.moderatorToken());
      String bobId = join(bob, guestToken(room.slug(), "Bob"));

      host.send(frame("type", "moderate", "action", "mute", "participantId", bobId));
      JsonNode muted = bob.await("muted");
      assertThat(muted.get("by").asText()).isEqualTo(hostId);
      assertThat(muted.get("media").asText()).isEqualTo("audio");
      for (var socket : List.of(host, bob)) {
        JsonNode state = socket.await("force-muted");
        assertThat(state.get("participantId").asText()).isEqualTo(bobId);
        assertThat(state.get("audio").asBoolean()).isTrue();
        assertThat(state.get("video").asBoolean()).isFalse();
      }
      // the page claims its microphone is on again: the others still see it off
      bob.send(frame("type", "media-state", "audio", true, "video", true));
      JsonNode seen = host.awaitNth("media-state", 2);
      assertThat(seen.get("participantId").asText()).isEqualTo(bobId);
      assertThat(seen.get("audio").asBoolean()).isFalse();

      host.send(
          frame("type", "moderate", "action", "mute", "participantId", bobId, "media", "video"));
      assertThat(bob.awaitNth("force-muted", 2).get("video").asBoolean()).isTrue();
      // a newcomer learns it with the participants
      try (var cy = SignallingSocket.open(room.slug())) {
        cy.send(frame("type", "join", "token", guestToken(room.slug(), "Cy")));
        JsonNode bobAtJoin = null;
        for (JsonNode p : cy.await("joined").get("participants")) {
          if (p.get("participantId").asText().equals(bobId)) {
            bobAtJoin = p;
          }
        }
        assertThat(bobAtJoin).isNotNull();
        assertThat(bobAtJoin.get("audioForceMuted").asBoolean()).isTrue();
        assertThat(bobAtJoin.get("videoForceMuted").asBoolean()).isTrue();
        assertThat(bobAtJoin.get("audio").asBoolean()).isFalse();
      }

      host.send(frame("type", "moderate", "action", "allow-unmute", "participantId", bobId));
      JsonNode allowed = bob.awaitNth("force-muted", 3);
      assertThat(allowed.get("audio").asBoolean()).isFalse();
      assertThat(allowed.get("video").asBoolean()).isTrue();
      rows.awaitStored(AuditEvent.PARTICIPANT_UNMUTE_ALLOW, room.id());
      assertThat(rows.exactlyOne(AuditEvent.PARTICIPANT_UNMUTE_ALLOW, room.id()))
          .isEqualTo(
              new AuditRows.Row(
                  room.ownerId(),
                  AuditEvent.PARTICIPANT_UNMUTE_ALLOW,
                  room.id(),
                  bobId,
                  null,
                  "127.0.0.1"));
      assertThat(rows.exactlyOne(AuditEvent.PARTICIPANT_MUTE, room.id()).participantId())
          .isEqualTo(bobId);
      assertThat(rows.exactlyOne(AuditEvent.PARTICIPANT_MUTE_VIDEO, room.id()).participantId())
          .isEqualTo(bobId);
    }
  }

  @Test
  void raised_hands_reach_everyone_in_order_and_new_joiners_see_them() throws Exception {
    Room room = newRoom();
    try (var host = SignallingSocket.open(room.slug());
        var bob = SignallingSocket.open(room.slug());
        var cy = SignallingSocket.open(room.slug())) {
      String hostId = join(host, room.moderatorToken());
      String bobId = join(bob, guestToken(room.slug(), "Bob"));
      String cyId = join(cy, guestToken(room.slug(), "Cy"));
      cy.send(frame("type", "raise-hand", "raised", true));
      host.await("hand-raised");
      bob.send(frame("type", "raise-hand", "raised", true));
      JsonNode first = host.awaitNth("hand-raised", 1);
      JsonNode second = host.awaitNth("hand-raised", 2);
      assertThat(first.get("participantId").asText()).isEqualTo(cyId);
      assertThat(second.get("participantId").asText()).isEqualTo(bobId);
      assertThat(second.get("raisedAt").asLong()).isGreaterThan(first.get("raisedAt").asLong());
      assertThat(cy.awaitNth("hand-raised", 2).get("participantId").asText()).isEqualTo(bobId);

      try (var dan = SignallingSocket.open(room.slug())) {
        dan.send(frame("type", "join", "token", guestToken(room.slug(), "Dan")));
        Map<String, Long> hands = new HashMap<>();
        for (JsonNode p : dan.await("joined").get("participants")) {
          hands.put(
              p.get("participantId").asText(),
              p.hasNonNull("handRaisedAt") ? p.get("handRaisedAt").asLong() : null);
        }
        assertThat(hands)
            .containsEntry(cyId, first.get("raisedAt").asLong())
            .containsEntry(bobId, second.get("raisedAt").asLong())
            .containsEntry(hostId, null);
      }

      host.send(frame("type", "moderate", "action", "lower-hand", "participantId", cyId));
      JsonNode lowered = cy.awaitNth("hand-raised", 3);
      assertThat(lowered.get("participantId").asText()).isEqualTo(cyId);
      assertThat(lowered.get("raised").asBoolean()).isFalse();
      assertThat(lowered.get("by").asText()).isEqualTo(hostId);
      assertThat(lowered.has("raisedAt")).isFalse();
      // only now: two sockets' frames have no order between them
      bob.send(frame("type", "raise-hand", "raised", false));
      JsonNode ownLower = host.awaitNth("hand-raised", 4);
      assertThat(ownLower.get("participantId").asText()).isEqualTo(bobId);
      assertThat(ownLower.get("by").asText()).isEqualTo(bobId);
    }
  }

  @Test
  void a_moderator_ends_the_meeting_for_everyone_and_the_room_stays() throws Exception {
    Room room = newRoom();
    AuditRows rows = new AuditRows(dataSource);
    try (var host = SignallingSocket.open(room.slug());
        var bob = SignallingSocket.open(room.slug());
        var cy = SignallingSocket.open(room.slug())) {
      join(host, room.moderatorToken());
      String bobId = join(bob, guestToken(room.slug(), "Bob"));
      String cyId = join(cy, guestToken(room.slug(), "Cy"));

      host.send(frame("type", "end-meeting"));
      for (var socket : List.of(host, bob, cy)) {
        socket.closed.get(10, TimeUnit.SECONDS);
        JsonNode left = socket.await("participant-left");
        assertThat(left.get("reason").asText()).isEqualTo("meeting-ended");
        assertThat(socket.closeReason).isEqualTo("meeting-ended");
      }
      assertThat(bob.await("participant-left").get("participantId").asText()).isEqualTo(bobId);
      assertThat(cy.await("participant-left").get("participantId").asText()).isEqualTo(cyId);
      rows.awaitStored(AuditEvent.MEETING_END, room.id());
      assertThat(rows.exactlyOne(AuditEvent.MEETING_END, room.id()))
          .isEqualTo(
              new AuditRows.Row(
                  room.ownerId(), AuditEvent.MEETING_END, room.id(), null, null, "127.0.0.1"));
    }
    // the room stays: anyone may start a new meeting in it
    try (var again = SignallingSocket.open(room.slug())) {
      join(again, guestToken(room.slug(), "Dan"));
      assertThat(again.await("joined").get("participants")).isEmpty();
    }
  }
}
