package io.openmeet.roomapi.rest;

import static io.openmeet.roomapi.support.Api.createPublicRoom;
import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.openmeet.roomapi.entity.CallLog;
import io.openmeet.roomapi.entity.Participant;
import io.openmeet.roomapi.repository.CallLogRepository;
import io.openmeet.roomapi.repository.ParticipantRepository;
import io.openmeet.roomapi.support.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class CallHistoryTest {

  @Inject CallLogRepository calls;
  @Inject ParticipantRepository participants;

  private UUID call(UUID roomId, Instant start, Integer seconds) {
    UUID id = UUID.randomUUID();
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              CallLog c = new CallLog();
              c.id = id;
              c.roomId = roomId;
              c.startedAt = start;
              c.endedAt = seconds == null ? null : start.plusSeconds(seconds);
              c.durationSeconds = seconds;
              c.peakParticipants = 2;
              c.totalParticipants = 3;
              c.region = "local";
              c.bridges = "jvb-1, jvb-2";
              calls.persist(c);
              for (String name : new String[] {"Ada", "Bob"}) {
                Participant p = new Participant();
                p.id = UUID.randomUUID();
                p.callLogId = id;
                p.displayName = name;
                p.joinedAt = start.plusSeconds(name.equals("Ada") ? 0 : 5);
                p.leftAt = seconds == null ? null : start.plusSeconds(seconds);
                p.audioEnabled = true;
                p.videoEnabled = !name.equals("Bob");
                p.leaveReason = seconds == null ? null : "left";
                participants.persist(p);
              }
            });
    return id;
  }

  @Test
  void a_moderator_reads_its_rooms_calls_newest_first_and_one_call_with_participants() {
    var room = createPublicRoom();
    UUID roomId = UUID.fromString(room.getString("id"));
    String moderator = room.getString("token");
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    UUID older = call(roomId, now.minusSeconds(3600), 600);
    UUID newer = call(roomId, now.minusSeconds(60), null);

    json(moderator)
        .get("/api/rooms/" + roomId + "/calls")
        .then()
        .statusCode(200)
        .body("total", equalTo(2))
        .body("items.id", contains(newer.toString(), older.toString()))
        .body("items[1].durationSeconds", equalTo(600))
        .body("items[1].bridges", contains("jvb-1", "jvb-2"))
        .body("items[0].endedAt", equalTo(null));

    json(moderator)
        .get("/api/calls/" + older)
        .then()
        .statusCode(200)
        .body("call.id", equalTo(older.toString()))
        .body("call.peakParticipants", equalTo(2))
        .body("participants.displayName", contains("Ada", "Bob"))
        .body("participants[1].videoEnabled", equalTo(false))
        .body("participants[0].leaveReason", equalTo("left"));

    // another room's moderator may not read it; an admin may
    String other = createPublicRoom().getString("token");
    json(other).get("/api/calls/" + older).then().statusCode(403);
    json(TestTokens.admin()).get("/api/calls/" + older).then().statusCode(200);
  }

  @Test
  void stats_count_active_rooms_and_calls_and_minutes_per_day() {
    String admin = TestTokens.admin();
    var before = json(admin).get("/api/stats?days=7").then().statusCode(200).extract().jsonPath();
    var room = createPublicRoom();
    UUID roomId = UUID.fromString(room.getString("id"));
    call(roomId, Instant.now().minusSeconds(120), 120);
    call(roomId, Instant.now().minusSeconds(30), null);

    var after = json(admin).get("/api/stats?days=7").then().statusCode(200).extract().jsonPath();
    assertThat(after.getLong("activeRooms")).isGreaterThanOrEqualTo(1);
    // other test classes may add calls meanwhile: compare at least the delta we caused
    assertThat(after.getLong("calls") - before.getLong("calls")).isGreaterThanOrEqualTo(2);
    assertThat(after.getDouble("minutes") - before.getDouble("minutes"))
        .isGreaterThanOrEqualTo(1.99);
    assertThat(after.getDouble("averageDurationSeconds")).isPositive();
    assertThat(after.getList("days")).isNotEmpty();
    assertThat(after.getString("days[-1].day")).matches("\\d{4}-\\d{2}-\\d{2}");
  }
}
