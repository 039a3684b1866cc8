package io.openmeet.roomapi.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.roomapi.entity.RoomAccess;
import io.openmeet.roomapi.rest.RoomModels;
import io.openmeet.roomapi.service.RoomCommands;
import org.junit.jupiter.api.Test;

/** Request records that carry a room password print it masked (they end up in logs). */
class RedactedTest {

  private static final String PW = "room-pw-4711";

  @Test
  void request_and_command_records_mask_the_password() {
    Record[] records = {
      new RoomModels.CreateRoomRequest("Room", RoomAccess.PASSWORD, PW, 4, null, null, "Ada"),
      new RoomModels.UpdateRoomRequest("Room", RoomAccess.PASSWORD, PW, 4, null, null),
      new RoomModels.TokenRequest("Ada", PW),
      new RoomCommands.Create("Room", RoomAccess.PASSWORD, PW, 4, null, null),
      new RoomCommands.Update("Room", RoomAccess.PASSWORD, PW, 4, null, null),
      new RoomCommands.TokenRequest("Ada", PW)
    };
    for (Record r : records) {
      assertThat(r.toString()).doesNotContain(PW).contains("password=***");
    }
    assertThat(new RoomModels.TokenRequest("Ada", PW).toString())
        .isEqualTo("TokenRequest[displayName=Ada, password=***]");
  }

  @Test
  void an_absent_password_stays_null_and_other_fields_show() {
    assertThat(new RoomCommands.TokenRequest("Ada", null).toString())
        .isEqualTo("TokenRequest[displayName=Ada, password=null]");
    record Keys(String name, String controlSecret, int n) {}
    assertThat(Redacted.toString(new Keys("x", "s3", 2)))
        .isEqualTo("Keys[name=x, controlSecret=***, n=2]");
  }
}
