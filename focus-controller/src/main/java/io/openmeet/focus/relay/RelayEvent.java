package io.openmeet.focus.relay;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.ParticipantEvents;
import io.openmeet.focus.conference.ParticipantInfo;
import java.util.List;

/** One {@link ParticipantEvents} call, carried from the owner to the participant's origin node. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RelayEvent.Joined.class, name = "joined"),
  @JsonSubTypes.Type(value = RelayEvent.Offer.class, name = "offer"),
  @JsonSubTypes.Type(value = RelayEvent.ParticipantJoined.class, name = "participant-joined"),
  @JsonSubTypes.Type(value = RelayEvent.ParticipantLeft.class, name = "participant-left"),
  @JsonSubTypes.Type(value = RelayEvent.MediaState.class, name = "media-state"),
  @JsonSubTypes.Type(value = RelayEvent.Chat.class, name = "chat"),
  @JsonSubTypes.Type(value = RelayEvent.Muted.class, name = "muted"),
  @JsonSubTypes.Type(value = RelayEvent.ForceMuted.class, name = "force-muted"),
  @JsonSubTypes.Type(value = RelayEvent.HandRaised.class, name = "hand-raised"),
  @JsonSubTypes.Type(value = RelayEvent.Removed.class, name = "removed"),
  @JsonSubTypes.Type(value = RelayEvent.Moved.class, name = "moved")
})
sealed interface RelayEvent {

  /** Makes the same call on the origin's events. */
  void deliverTo(ParticipantEvents events);

  record Joined(String participantId, List<ParticipantInfo> others) implements RelayEvent {
    @Override
    public void deliverTo(ParticipantEvents events) {
      events.joined(participantId, others);
    }
  }

  record Offer(String sdp, String bridgeChannelUrl) implements RelayEvent {
    @Override
    public void deliverTo(ParticipantEvents events) {
      events.offer(sdp, bridgeChannelUrl);
    }
  }

  record ParticipantJoined(ParticipantInfo participant) implements RelayEvent {
    @Override
    public void deliverTo(ParticipantEvents events) {
      events.participantJoined(participant);
    }
  }

  record ParticipantLeft(String participantId, LeaveReason reason) implements RelayEvent {
    @Override
    public void deliverTo(ParticipantEvents events) {
      events.participantLeft(participantId, reason);
    }
  }

  record MediaState(String participantId, boolean audio, boolean video, boolean screen)
      implements RelayEvent {
    @Override
    public void deliverTo(ParticipantEvents events) {
      events.mediaState(participantId, audio, video, screen);
    }
  }

  record Chat(String from, String displayName, String text, long timestampMillis)
      implements RelayEvent {
    @Override
    public void deliverTo(ParticipantEvents events) {
      events.chat(from, displayName, text, timestampMillis);
    }
  }

  record Muted(String byParticipantId) implements RelayEvent {
    @Override
    public void deliverTo(ParticipantEvents events) {
      events.muted(byParticipantId);
    }
  }

  record ForceMuted(String participantId, boolean audio, boolean video, String byParticipantId)
      implements RelayEvent {
    @Override
    public void deliverTo(ParticipantEvents events) {
      events.forceMuted(participantId, audio, video, byParticipantId);
    }
  }

  record HandRaised(String participantId, long raisedAt, String byParticipantId)
      implements RelayEvent {
    @Override
    public void deliverTo(ParticipantEvents events) {
      events.handRaised(participantId, raisedAt, byParticipantId);
    }
  }

  /** The owner dropped the participant (kick, room closed, owner shutting down). */
  record Removed(LeaveReason reason) implements RelayEvent {
    @Override
    public void deliverTo(ParticipantEvents events) {
      events.removed(reason);
    }
  }

  /** The owner stopped hosting the participant's conference; the participant did not leave. */
  record Moved() implements RelayEvent {
    @Override
    public void deliverTo(ParticipantEvents events) {
      events.conferenceMoved();
    }
  }
}
