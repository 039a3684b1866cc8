package io.openmeet.focus.conference;

import java.util.Locale;
import java.util.Optional;

/** Names of what moderators act on, shared by the focus and the signalling layer. */
public final class Moderation {

  private Moderation() {}

  /** The media a moderator force-mutes or allows: a participant's microphone or camera. */
  public enum Media {
    AUDIO,
    VIDEO;

    /** The wire form, {@code audio} or {@code video}. */
    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The media named by a wire form; empty for anything else. */
    public static Optional<Media> of(String code) {
      for (Media m : values()) {
        if (m.code().equals(code)) {
          return Optional.of(m);
        }
      }
      return Optional.empty();
    }
  }
}
