package io.openmeet.roomapi.signalling;

import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The moderator's kick and mute over real sockets each write one audit event naming the moderator,
 * the room, the participant and the socket's address (same profile as {@link
 * SignallingLimitsTest}).
 */
@QuarkusTest
@TestProfile(SignallingLimitsTest.Limits.class)
class ModerationAuditTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject AgroalDataSource dataSource;

  private static String guestToken(String slug, String name) {
    return json()
        .body(Map.of("displayName", name))
        .post("/api/rooms/" + slug + "/tokens")
        .then()
        .statusCode(200)
        .extract()
        .path("token");
  }

  private static String frame(Map<String, Object> fields) throws Exception {
    return JSON.writeValueAsString(fields);
  }

  @Test
  void kick_and_mute_are_audited_once_each_with_the_moderator_as_actor() throws Exception {
    AuditRows rows = new AuditRows(dataSource);
    String ownerId = UUID.randomUUID().toString();
    var created =
        json(TestTokens.user(ownerId, "Owner", null))
            .body(Map.of("name", Api.uniqueName("Moderated")))
            .post("/api/rooms")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    String slug = created.getString("slug");
    UUID roomId = UUID.fromString(created.getString("id"));
    String bob = guestToken(slug, "Bob");
    String cy = guestToken(slug, "Cy");

    try (var host = SignallingSocket.open(slug);
        var bobClient = SignallingSocket.open(slug);
        var cyClient = SignallingSocket.open(slug)) {
      host.send(frame(Map.of("type", "join", "token", created.getString("token"))));
      host.await("joined");
      bobClient.send(frame(Map.of("type", "join", "token", bob)));
      String bobId = bobClient.await("joined").get("participantId").asText();
      cyClient.send(frame(Map.of("type", "join", "token", cy)));
      String cyId = cyClient.await("joined").get("participantId").asText();
      // a non-moderator's attempt is refused and not audited
      bobClient.send(frame(Map.of("type", "moderate", "action", "kick", "participantId", cyId)));
      bobClient.await("error");

      host.send(frame(Map.of("type", "moderate", "action", "mute", "participantId", cyId)));
      host.send(frame(Map.of("type", "moderate", "action", "kick", "participantId", bobId)));
      bobClient.closed.get(10, TimeUnit.SECONDS);
      rows.awaitStored(AuditEvent.PARTICIPANT_KICK, roomId);

      assertThat(rows.exactlyOne(AuditEvent.PARTICIPANT_MUTE, roomId))
          .isEqualTo(
              new AuditRows.Row(
                  ownerId, AuditEvent.PARTICIPANT_MUTE, roomId, cyId, null, "127.0.0.1"));
      assertThat(rows.exactlyOne(AuditEvent.PARTICIPANT_KICK, roomId))
          .isEqualTo(
              new AuditRows.Row(
                  ownerId, AuditEvent.PARTICIPANT_KICK, roomId, bobId, null, "127.0.0.1"));
    }
  }
}
