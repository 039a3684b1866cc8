package io.openmeet.roomapi.service;

import io.openmeet.roomapi.entity.RoomAccess;

/** The inputs of room operations, already checked for shape by the REST layer. */
public final class RoomCommands {

  private RoomCommands() {}

  /** Create a room; null fields take their defaults. */
  public record Create(
      String name,
      RoomAccess access,
      String password,
      Integer maxParticipants,
      String region,
      Boolean lobbyEnabled) {}

  /** Change a room; null fields stay as they are. */
  public record Update(
      String name,
      RoomAccess access,
      String password,
      Integer maxParticipants,
      String region,
      Boolean lobbyEnabled) {}

  /** Ask for a join token. */
  public record TokenRequest(String displayName, String password) {}

  /** Invite a registered user or an email address. */
  public record Invite(String userId, String email) {}
}
