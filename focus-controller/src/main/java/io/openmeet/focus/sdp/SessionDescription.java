package io.openmeet.focus.sdp;

import java.util.List;
import java.util.Optional;

/**
 * A whole SDP: origin, session-level attributes and m-lines. Lines that matter to no one here
 * ({@code s=}, {@code t=}, {@code c=}, {@code b=}) are checked for syntax and then dropped.
 *
 * @param sessionId the origin's session id (digits; may exceed a long)
 * @param sessionVersion the origin's version; a new offer increments it
 */
public record SessionDescription(
    String sessionId, long sessionVersion, List<Attribute> attributes, List<MediaSection> media) {

  public SessionDescription {
    attributes = List.copyOf(attributes);
    media = List.copyOf(media);
  }

  /** The first session-level attribute with this name. */
  public Optional<Attribute> attribute(String name) {
    return attributes.stream().filter(a -> a.name().equals(name)).findFirst();
  }
}
