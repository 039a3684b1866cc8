package io.openmeet.roomapi.rest;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** JSON bodies of the user endpoints. */
public final class UserModels {

  private UserModels() {}

  /** POST /api/users. */
  public record CreateUserRequest(
      @NotBlank @Email @Size(max = 320) String email,
      @NotBlank @Schema(maxLength = 64, description = RoomModels.TEXT_RULES) String name,
      @Size(max = 2048)
          @Pattern(regexp = "^https?://[^\\s\\p{Cntrl}]+$", message = "must be an http(s) URL")
          String avatarUrl) {}

  /** POST /api/users/{id}/tokens (the body is optional). */
  public record UserTokenRequest(Boolean admin) {}

  /** A user. */
  public record UserView(
      UUID id, String email, String name, String avatarUrl, Instant createdAt, Instant updatedAt) {}
}
