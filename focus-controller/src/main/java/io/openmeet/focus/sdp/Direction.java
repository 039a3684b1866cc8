package io.openmeet.focus.sdp;

import java.util.Locale;
import java.util.Optional;

/** An m-line's direction, seen from the side that wrote the SDP. */
public enum Direction {
  SENDRECV,
  SENDONLY,
  RECVONLY,
  INACTIVE;

  /** The attribute name, e.g. {@code sendonly}. */
  public String token() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the writer of the SDP sends media on this m-line. */
  public boolean sends() {
    return this == SENDRECV || this == SENDONLY;
  }

  static Optional<Direction> fromToken(String token) {
    for (Direction d : values()) {
      if (d.token().equals(token)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
