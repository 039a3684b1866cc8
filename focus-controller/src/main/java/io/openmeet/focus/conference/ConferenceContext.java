package io.openmeet.focus.conference;

import io.openmeet.focus.records.CallRecorder;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.presence.conference.ParticipantPresence;
import java.time.Clock;

/**
 * What conferences need from their surroundings.
 *
 * @param bridges opens the bridge side of a conference (Colibri2 in production)
 * @param codecs the codecs and header extensions offered to browsers
 * @param presence room participant presence shared by every node
 * @param recorder where call facts go (never blocks)
 * @param nodeId this control-plane node, as it appears in leases and presence
 */
public record ConferenceContext(
    ConferenceBridge.Factory bridges,
    CodecSettings codecs,
    ParticipantPresence presence,
    CallRecorder recorder,
    Clock clock,
    String nodeId) {}
