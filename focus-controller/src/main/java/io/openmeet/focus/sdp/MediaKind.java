package io.openmeet.focus.sdp;

import java.util.Locale;
import java.util.Optional;

/** The kinds of RTP media the focus negotiates. */
public enum MediaKind {
  AUDIO,
  VIDEO;

  /** The SDP/Colibri2 token, {@code audio} or {@code video}. */
  public String token() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind for an m-line's media token; empty for {@code application} and others. */
  public static Optional<MediaKind> fromToken(String token) {
    return switch (token) {
      case "audio" -> Optional.of(AUDIO);
      case "video" -> Optional.of(VIDEO);
      default -> Optional.empty();
    };
  }
}
