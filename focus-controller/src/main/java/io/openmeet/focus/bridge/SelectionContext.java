package io.openmeet.focus.bridge;

import java.util.Objects;
import java.util.Optional;

/**
 * What a strategy knows about the join it places.
 *
 * @param conferenceBridge the bridge the conference already runs on, empty for a new conference
 * @param participantRegion the joining participant's (or the room's) region, empty for any
 */
public record SelectionContext(
    Optional<String> conferenceBridge, Optional<String> participantRegion) {

  public SelectionContext {
    Objects.requireNonNull(conferenceBridge, "conferenceBridge");
    Objects.requireNonNull(participantRegion, "participantRegion");
  }

  /** A new conference with no region preference. */
  public static SelectionContext anywhere() {
    return new SelectionContext(Optional.empty(), Optional.empty());
  }
}
