package io.openmeet.roomapi.rest;

import io.openmeet.roomapi.entity.RoomAccess;
import io.openmeet.roomapi.security.Redacted;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** JSON bodies of the room endpoints (field names documented in docs/API.md, "Rooms"). */
public final class RoomModels {

  private RoomModels() {}

  static final String REGION = "^[a-z0-9][a-z0-9-]{0,63}$";

  /** Where human text fields point for their rules (io.openmeet.focus.text.HumanText). */
  static final String TEXT_RULES =
      "Human text: no control, bidi-override, zero-width (but ZWJ/ZWNJ) or non-characters;"
          + " trimmed and NFC-normalised; the length counts characters (code points).";

  /** POST /api/rooms. */
  public record CreateRoomRequest(
      @NotBlank @Schema(maxLength = 200, description = TEXT_RULES) String name,
      @Schema(description = "public (default), invite_only or password") RoomAccess access,
      @Schema(description = "required when access is password, else absent")
          @Size(min = 4, max = 128)
          String password,
      @Schema(description = "2..100, default 12") @Min(2) @Max(100) Integer maxParticipants,
      @Schema(description = "lower-case region name; default from configuration")
          @Pattern(regexp = REGION, message = "must be lower-case letters, digits and dashes")
          String region,
      @Schema(description = "default false") Boolean lobbyEnabled,
      @Schema(description = P2P) Boolean p2pEnabled,
      @Schema(
              maxLength = 64,
              description =
                  "creator's name in the moderator token (default: token name or Host). "
                      + TEXT_RULES)
          String displayName) {

    @Override
    public String toString() {
      return Redacted.toString(this);
    }
  }

  /** PATCH /api/rooms/{id}: absent fields stay as they are. */
  public record UpdateRoomRequest(
      @Schema(maxLength = 200, description = TEXT_RULES) String name,
      RoomAccess access,
      @Size(min = 4, max = 128) String password,
      @Min(2) @Max(100) Integer maxParticipants,
      @Pattern(regexp = REGION, message = "must be lower-case letters, digits and dashes")
          String region,
      Boolean lobbyEnabled,
      @Schema(description = P2P) Boolean p2pEnabled) {

    @Override
    public String toString() {
      return Redacted.toString(this);
    }
  }

  static final String P2P =
      "two-participant calls connect peer-to-peer and move to the bridge when a third joins;"
          + " absent/null: the deployment's openmeet.rooms.p2p-enabled";

  /** POST /api/rooms/{idOrSlug}/tokens. */
  public record TokenRequest(
      @Schema(
              maxLength = 64,
              description = "required unless a user token names the caller. " + TEXT_RULES)
          String displayName,
      @Schema(description = "the room password, for password rooms") @Size(max = 128)
          String password) {

    @Override
    public String toString() {
      return Redacted.toString(this);
    }
  }

  /** POST /api/rooms/{id}/invites: exactly one of the two. */
  public record InviteRequest(
      String userId, @Size(max = 320) @jakarta.validation.constraints.Email String email) {}

  /** A room as clients see it; the password hash never leaves the server. */
  public record RoomView(
      UUID id,
      String slug,
      String name,
      RoomAccess access,
      int maxParticipants,
      boolean lobbyEnabled,
      String region,
      boolean active,
      Instant createdAt,
      Instant closedAt,
      String joinUrl,
      String signallingUrl,
      Boolean p2pEnabled) {}

  /** 201 answer of POST /api/rooms: the room plus the creator's moderator token. */
  public record CreateRoomResponse(
      UUID id,
      String slug,
      String name,
      RoomAccess access,
      int maxParticipants,
      boolean lobbyEnabled,
      String region,
      Instant createdAt,
      String joinUrl,
      String signallingUrl,
      String token,
      Instant tokenExpiresAt,
      Boolean p2pEnabled) {}

  /** A signed JWT. */
  public record TokenResponse(
      String token, Instant expiresAt, Boolean moderator, UUID roomId, String slug) {}

  /** An invitation. */
  public record InviteView(UUID id, UUID roomId, UUID userId, String email, Instant createdAt) {}
}
