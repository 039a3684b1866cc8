package io.openmeet.roomapi.entity;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Who may get a join token for a room. */
public enum RoomAccess {
  /** Anyone with a display name (a guest). */
  PUBLIC("public"),
  /** Only invited users, with a user token. */
  INVITE_ONLY("invite_only"),
  /** Anyone who knows the room password. */
  PASSWORD("password");

  private final String wire;

  RoomAccess(String wire) {
    this.wire = wire;
  }

  /** The value in JSON and in the database. */
  @JsonValue
  public String wire() {
    return wire;
  }

  /**
   * Parses the JSON/database value.
   *
   * @throws IllegalArgumentException for anything else (Jackson turns it into a 400)
   */
  @JsonCreator
  public static RoomAccess fromWire(String value) {
    for (RoomAccess a : values()) {
      if (a.wire.equals(value)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "access must be one of "
            + Arrays.stream(values()).map(RoomAccess::wire).collect(Collectors.joining(", ")));
  }
}
