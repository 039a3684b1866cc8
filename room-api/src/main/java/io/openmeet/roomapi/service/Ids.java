package io.openmeet.roomapi.service;

import java.util.Optional;
import java.util.UUID;

/** Parsing of ids from paths and bodies into typed errors instead of exceptions from the JDK. */
public final class Ids {

  private Ids() {}

  /**
   * Parses a canonical UUID.
   *
   * @throws ApiException {@link ErrorCode#INVALID_ID} when it is not one
   */
  public static UUID parse(String value, String what) {
    return tryParse(value)
        .orElseThrow(
            () ->
                new ApiException(
                    ErrorCode.INVALID_ID, what + " is not a valid UUID: " + shorten(value)));
  }

  /** The UUID, if {@code value} is one in canonical 8-4-4-4-12 form. */
  public static Optional<UUID> tryParse(String value) {
    if (value == null || value.length() != 36) {
      return Optional.empty();
    }
    try {
      UUID id = UUID.fromString(value);
      // UUID.fromString accepts odd forms like "1-1-1-1-1"; keep only canonical spellings
      return id.toString().equalsIgnoreCase(value) ? Optional.of(id) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Keeps error messages short and printable when clients send junk. */
  public static String shorten(String value) {
    if (value == null) {
      return "null";
    }
    String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 64 ? printable.substring(0, 64) + "…" : printable;
  }
}
