package io.openmeet.roomapi.callrecords;

import static io.openmeet.roomapi.support.Api.createPublicRoom;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.focus.records.CallRecordEvent;
import io.openmeet.roomapi.entity.CallLog;
import io.openmeet.roomapi.entity.Participant;
import io.openmeet.roomapi.repository.CallLogRepository;
import io.openmeet.roomapi.repository.ParticipantRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The store writes a whole call into real Postgres, and writing it twice changes nothing. */
@QuarkusTest
class JdbcCallRecordStoreTest {

  @Inject DataSource dataSource;
  @Inject CallLogRepository calls;
  @Inject ParticipantRepository participants;

  @Test
  void aCallIsStoredWithItsParticipantsAndBridgesAndARetryIsHarmless() throws Exception {
    UUID roomId = UUID.fromString(createPublicRoom().getString("id"));
    UUID callId = UUID.randomUUID();
    UUID ada = UUID.randomUUID();
    Instant t = Instant.parse("2026-12-06T10:00:00Z");
    List<CallRecordEvent> call =
        List.of(
            new CallRecordEvent.CallStarted(callId, roomId, "local", t),
            new CallRecordEvent.ParticipantJoined(callId, ada, null, "Ada", t, true, true),
            new CallRecordEvent.ParticipantLeft(
                callId, ada, t.plusSeconds(90), "leave", true, false),
            new CallRecordEvent.CallEnded(
                callId, t.plusSeconds(91), 1, 1, List.of("lite-1", "jvb-2")));
    var store = new JdbcCallRecordStore(dataSource, (operation, nanos) -> {});
    store.write(call);
    store.write(call);

    CallLog log = QuarkusTransaction.requiringNew().call(() -> calls.findById(callId));
    assertThat(log.bridges).isEqualTo("lite-1,jvb-2");
    assertThat(log.durationSeconds).isEqualTo(91);
    assertThat(log.peakParticipants).isEqualTo(1);
    List<Participant> people =
        QuarkusTransaction.requiringNew().call(() -> participants.list("callLogId", callId));
    assertThat(people).singleElement().satisfies(p -> assertThat(p.leaveReason).isEqualTo("leave"));

    // an end journaled before bridges were recorded keeps what the column holds
    store.write(List.of(new CallRecordEvent.CallEnded(callId, t.plusSeconds(91), 1, 1, null)));
    assertThat(QuarkusTransaction.requiringNew().call(() -> calls.findById(callId)).bridges)
        .isEqualTo("lite-1,jvb-2");
  }

  @Test
  void aBridgeListLongerThanTheColumnKeepsWholeIds() {
    List<String> many =
        java.util.stream.IntStream.range(0, 200).mapToObj(i -> "bridge-" + i).toList();
    String stored = JdbcCallRecordStore.bridgeList(many);
    assertThat(stored.length()).isLessThanOrEqualTo(1024);
    assertThat(stored.split(",")).allMatch(id -> id.startsWith("bridge-") && id.length() > 7);
    assertThat(JdbcCallRecordStore.bridgeList(List.of())).isNull();
  }
}
