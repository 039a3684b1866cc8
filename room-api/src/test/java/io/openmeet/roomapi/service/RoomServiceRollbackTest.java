package io.openmeet.roomapi.service;

import static io.openmeet.roomapi.support.Api.createPublicRoom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.presence.room.RoomDirectory;
import io.openmeet.roomapi.repository.RoomRepository;
import io.openmeet.roomapi.security.Caller;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** When the database transaction rolls back, the room:{id} hash in Redis is put back too. */
@QuarkusTest
class RoomServiceRollbackTest {

  private static final Caller ADMIN =
      new Caller(true, true, "admin", null, "Admin", Caller.ANY_ROOM, null, false);

  @Inject RoomService rooms;
  @Inject RoomRepository repository;
  @Inject RoomDirectory directory;

  @Test
  void a_rolled_back_change_leaves_row_and_hash_as_they_were() {
    String id = createPublicRoom().getString("id");
    String name = directory.find(id).orElseThrow().name();

    assertThatThrownBy(
            () ->
                QuarkusTransaction.requiringNew()
                    .run(
                        () -> {
                          rooms.update(
                              id,
                              new RoomCommands.Update("Changed", null, null, 50, null, true),
                              ADMIN);
                          // inside the transaction the hash already shows the change…
                          assertThat(directory.find(id).orElseThrow().name()).isEqualTo("Changed");
                          QuarkusTransaction.setRollbackOnly();
                        }))
        .isInstanceOf(QuarkusTransactionException.class);

    // …and after the rollback both stores hold the old room again
    assertThat(directory.find(id).orElseThrow().name()).isEqualTo(name);
    assertThat(directory.find(id).orElseThrow().maxParticipants()).isEqualTo(12);
    assertThat(repository.findById(UUID.fromString(id)).name).isEqualTo(name);
  }

  @Test
  void a_rolled_back_close_keeps_the_room_open_in_both_stores() {
    String id = createPublicRoom().getString("id");

    assertThatThrownBy(
            () ->
                QuarkusTransaction.requiringNew()
                    .run(
                        () -> {
                          rooms.close(id, ADMIN);
                          assertThat(directory.find(id)).isEmpty();
                          QuarkusTransaction.setRollbackOnly();
                        }))
        .isInstanceOf(QuarkusTransactionException.class);

    assertThat(directory.find(id)).isPresent();
    assertThat(repository.findById(UUID.fromString(id)).active).isTrue();
  }
}
