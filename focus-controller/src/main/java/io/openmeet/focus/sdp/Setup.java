package io.openmeet.focus.sdp;

import java.util.Locale;
import java.util.Optional;

/** The DTLS role attribute ({@code a=setup}, RFC 4145/5763). */
public enum Setup {
  ACTPASS,
  ACTIVE,
  PASSIVE,
  HOLDCONN;

  /** The wire token, e.g. {@code actpass}. */
  public String token() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role for a token, empty when unknown. */
  public static Optional<Setup> fromToken(String token) {
    for (Setup s : values()) {
      if (s.token().equals(token)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
