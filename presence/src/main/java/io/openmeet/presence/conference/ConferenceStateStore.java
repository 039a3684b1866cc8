package io.openmeet.presence.conference;

import java.util.Optional;

/**
 * The state a conference's owner mirrors for the node that may take it over: one opaque document
 * per conference, written only under the conference's current lease (fenced by its epoch).
 */
public interface ConferenceStateStore {

  /**
   * Replaces the conference's state while {@code lease} is its current lease.
   *
   * @return false, writing nothing, when the lease lapsed or another node holds it now
   */
  boolean write(ConferenceLeases.Lease lease, String state);

  /** The last state written for the conference, if any. */
  Optional<String> read(String conferenceId);

  /**
   * The conference ended: its state and its lease go together, while {@code lease} is still the
   * current one (a node taking the room later starts afresh).
   */
  void end(ConferenceLeases.Lease lease);
}
