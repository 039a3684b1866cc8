package io.openmeet.roomapi.audit;

import io.openmeet.roomapi.security.Caller;
import java.time.Instant;
import java.util.UUID;

/**
 * One administrator or moderator action.
 *
 * @param actor the acting user's id, else the token subject, else {@code admin} or {@code
 *     anonymous}
 * @param action what was done, e.g. {@code room.create} or {@code participant.kick}
 * @param roomId the room acted on, or null
 * @param participantId the participant acted on (signalling id), or null
 * @param userId the registered user acted on, or null
 * @param sourceAddress the client address (see {@link io.openmeet.roomapi.rest.ClientAddress})
 */
public record AuditEvent(
    long id,
    Instant at,
    String actor,
    String action,
    UUID roomId,
    String participantId,
    UUID userId,
    String sourceAddress) {

  public static final String ROOM_CREATE = "room.create";
  public static final String ROOM_PATCH = "room.patch";
  public static final String ROOM_DELETE = "room.delete";
  public static final String INVITE_CREATE = "invite.create";
  public static final String USER_CREATE = "user.create";
  public static final String TOKEN_MINT = "token.mint";
  public static final String PARTICIPANT_KICK = "participant.kick";
  public static final String PARTICIPANT_MUTE = "participant.mute";
  public static final String PARTICIPANT_MUTE_VIDEO = "participant.mute-video";
  public static final String PARTICIPANT_UNMUTE_ALLOW = "participant.unmute-allow";
  public static final String MEETING_END = "meeting.end";
  public static final String LOBBY_ADMIT = "lobby.admit";
  public static final String LOBBY_DENY = "lobby.deny";

  /** A new event (its id is given by the database). */
  public static AuditEvent of(
      String actor,
      String action,
      UUID roomId,
      String participantId,
      UUID userId,
      String sourceAddress) {
    return new AuditEvent(
        0,
        Instant.now(),
        clip(actor == null ? "anonymous" : actor),
        action,
        roomId,
        participantId == null ? null : clip(participantId),
        userId,
        clip(sourceAddress == null ? "unknown" : sourceAddress));
  }

  // the columns hold 255 characters; a longer token subject is cut rather than rejected
  private static String clip(String value) {
    return value.length() <= 255 ? value : value.substring(0, 255);
  }

  /** The actor name of a REST caller. */
  public static String actor(Caller caller) {
    if (caller.userId() != null) {
      return caller.userId();
    }
    return caller.admin() ? "admin" : "anonymous";
  }
}
