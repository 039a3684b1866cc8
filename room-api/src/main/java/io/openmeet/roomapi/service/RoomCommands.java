package io.openmeet.roomapi.service;

import io.openmeet.focus.text.HumanText;
import io.openmeet.focus.text.InvalidTextException;
import io.openmeet.roomapi.entity.RoomAccess;
import io.openmeet.roomapi.security.Redacted;

/**
 * The inputs of room operations, already checked for shape by the REST layer; names are held to the
 * human-text policy here, so a command only ever carries normalised names.
 */
public final class RoomCommands {

  private RoomCommands() {}

  /** Create a room; null fields take their defaults. */
  public record Create(
      String name,
      RoomAccess access,
      String password,
      Integer maxParticipants,
      String region,
      Boolean lobbyEnabled,
      Boolean p2pEnabled) {

    /** A room that follows the deployment's peer-to-peer setting. */
    public Create(
        String name,
        RoomAccess access,
        String password,
        Integer maxParticipants,
        String region,
        Boolean lobbyEnabled) {
      this(name, access, password, maxParticipants, region, lobbyEnabled, null);
    }

    /**
     * @throws InvalidTextException when the name breaks {@link HumanText#ROOM_NAME}
     */
    public Create {
      name = HumanText.ROOM_NAME.normalize("name", name);
    }

    @Override
    public String toString() {
      return Redacted.toString(this);
    }
  }

  /** Change a room; null fields stay as they are. */
  public record Update(
      String name,
      RoomAccess access,
      String password,
      Integer maxParticipants,
      String region,
      Boolean lobbyEnabled,
      Boolean p2pEnabled) {

    /** A change that leaves the peer-to-peer setting as it is. */
    public Update(
        String name,
        RoomAccess access,
        String password,
        Integer maxParticipants,
        String region,
        Boolean lobbyEnabled) {
      this(name, access, password, maxParticipants, region, lobbyEnabled, null);
    }

    /**
     * @throws InvalidTextException when the name breaks {@link HumanText#ROOM_NAME}
     */
    public Update {
      name = name == null ? null : HumanText.ROOM_NAME.normalize("name", name);
    }

    @Override
    public String toString() {
      return Redacted.toString(this);
    }
  }

  /** Ask for a join token; without a display name the caller's user token must give one. */
  public record TokenRequest(String displayName, String password) {

    /**
     * @throws InvalidTextException when the name breaks {@link HumanText#DISPLAY_NAME}
     */
    public TokenRequest {
      displayName =
          displayName == null ? null : HumanText.DISPLAY_NAME.normalize("displayName", displayName);
    }

    @Override
    public String toString() {
      return Redacted.toString(this);
    }
  }

  /** Invite a registered user or an email address. */
  public record Invite(String userId, String email) {}
}
