package io.openmeet.focus.bridge;

import java.util.Objects;
import java.util.Optional;

/**
 * What a strategy knows about the join it places.
 *
 * @param conferenceBridge the bridge the conference already runs on, empty for a new conference
 * @param participantRegion the joining participant's (or the room's) region, empty for any
 * @param moving the conference was admitted before and must move (its bridge went away): it may
 *     take a bridge up to the load limit of joins to an existing conference
 */
public record SelectionContext(
    Optional<String> conferenceBridge, Optional<String> participantRegion, boolean moving) {

  public SelectionContext {
    Objects.requireNonNull(conferenceBridge, "conferenceBridge");
    Objects.requireNonNull(participantRegion, "participantRegion");
  }

  /** A join that is not a move. */
  public SelectionContext(Optional<String> conferenceBridge, Optional<String> participantRegion) {
    this(conferenceBridge, participantRegion, false);
  }

  /** A new conference with no region preference. */
  public static SelectionContext anywhere() {
    return new SelectionContext(Optional.empty(), Optional.empty());
  }
}
