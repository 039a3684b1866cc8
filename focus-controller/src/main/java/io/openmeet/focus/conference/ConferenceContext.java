package io.openmeet.focus.conference;

import io.openmeet.focus.records.CallRecorder;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.presence.conference.ConferenceLeases;
import io.openmeet.presence.conference.ConferenceStateStore;
import io.openmeet.presence.conference.ParticipantPresence;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * What conferences need from their surroundings.
 *
 * @param bridges opens the bridge side of a conference (Colibri2 in production)
 * @param codecs the codecs and header extensions offered to browsers
 * @param presence room participant presence shared by every node
 * @param recorder where call facts go (never blocks)
 * @param nodeId this control-plane node, as it appears in leases and presence
 * @param states where each conference's state is mirrored for a node that takes it over
 * @param takeoverWindow how long the participants of a conference taken over from another node have
 *     to come back (their sessions resume here) before they leave
 */
public record ConferenceContext(
    ConferenceBridge.Factory bridges,
    CodecSettings codecs,
    ParticipantPresence presence,
    CallRecorder recorder,
    Clock clock,
    String nodeId,
    ConferenceStateStore states,
    Duration takeoverWindow) {

  /** A context whose conferences are mirrored nowhere (a single node, or tests). */
  public ConferenceContext(
      ConferenceBridge.Factory bridges,
      CodecSettings codecs,
      ParticipantPresence presence,
      CallRecorder recorder,
      Clock clock,
      String nodeId) {
    this(bridges, codecs, presence, recorder, clock, nodeId, NO_STATES, Duration.ofSeconds(20));
  }

  /** Keeps no state: nothing to take over. */
  public static final ConferenceStateStore NO_STATES =
      new ConferenceStateStore() {
        @Override
        public boolean write(ConferenceLeases.Lease lease, String state) {
          return true;
        }

        @Override
        public Optional<String> read(String conferenceId) {
          return Optional.empty();
        }

        @Override
        public void end(ConferenceLeases.Lease lease) {}
      };
}
