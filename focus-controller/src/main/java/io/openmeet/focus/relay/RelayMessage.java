package io.openmeet.focus.relay;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.conference.JoinRequest;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.Moderation;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The messages of the cross-node relay (wire version {@link RelayCodec#VERSION}); the JSON {@code
 * type} of each is in {@link JsonSubTypes}. A relay session is one participant whose signalling
 * socket is on the origin node while its conference is on the owner node; requests carry its id.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RelayMessage.Join.class, name = "join"),
  @JsonSubTypes.Type(value = RelayMessage.Resume.class, name = "resume"),
  @JsonSubTypes.Type(value = RelayMessage.Answer.class, name = "answer"),
  @JsonSubTypes.Type(value = RelayMessage.IceCandidate.class, name = "ice-candidate"),
  @JsonSubTypes.Type(value = RelayMessage.Mute.class, name = "mute"),
  @JsonSubTypes.Type(value = RelayMessage.Kick.class, name = "kick"),
  @JsonSubTypes.Type(value = RelayMessage.ForceMute.class, name = "force-mute"),
  @JsonSubTypes.Type(value = RelayMessage.LowerHand.class, name = "lower-hand"),
  @JsonSubTypes.Type(value = RelayMessage.EndMeeting.class, name = "end-meeting"),
  @JsonSubTypes.Type(value = RelayMessage.RaiseHand.class, name = "raise-hand"),
  @JsonSubTypes.Type(value = RelayMessage.IceRestart.class, name = "ice-restart"),
  @JsonSubTypes.Type(value = RelayMessage.OfferAgain.class, name = "offer-again"),
  @JsonSubTypes.Type(value = RelayMessage.MediaState.class, name = "media-state"),
  @JsonSubTypes.Type(value = RelayMessage.Chat.class, name = "chat"),
  @JsonSubTypes.Type(value = RelayMessage.Leave.class, name = "leave"),
  @JsonSubTypes.Type(value = RelayMessage.Ping.class, name = "ping"),
  @JsonSubTypes.Type(value = RelayMessage.CloseRoom.class, name = "close-room"),
  @JsonSubTypes.Type(value = RelayMessage.JoinResult.class, name = "join-result"),
  @JsonSubTypes.Type(value = RelayMessage.Result.class, name = "result"),
  @JsonSubTypes.Type(value = RelayMessage.Event.class, name = "event"),
  @JsonSubTypes.Type(value = RelayMessage.Pong.class, name = "pong")
})
sealed interface RelayMessage {

  /** Origin → owner, about one relay session; handled in order per session on the owner. */
  sealed interface ToOwner extends RelayMessage {
    String session();
  }

  /** Origin → owner requests the owner answers with a {@link Result} of the same {@code call}. */
  sealed interface Request extends ToOwner {
    long call();
  }

  /** Join the room's conference; answered by {@link JoinResult}, preceded by the first events. */
  record Join(String session, JoinSpec request) implements ToOwner {}

  /**
   * Continue a participant of the room's conference whose socket reconnected to the origin (it
   * redeemed its resume token there); answered by {@link JoinResult} like a join, preceded by
   * `joined` and an offer that keeps its bridge endpoint.
   */
  record Resume(String session, String roomId, String participantId, String subject)
      implements ToOwner {}

  /** {@link io.openmeet.focus.conference.FocusParticipant#answer}. */
  record Answer(String session, long call, String sdp) implements Request {}

  /** {@link io.openmeet.focus.conference.FocusParticipant#iceCandidate}. */
  record IceCandidate(String session, long call, String candidate, String sdpMid)
      implements Request {}

  /** {@link io.openmeet.focus.conference.FocusParticipant#mute}. */
  record Mute(String session, long call, String participantId) implements Request {}

  /** {@link io.openmeet.focus.conference.FocusParticipant#kick}. */
  record Kick(String session, long call, String participantId) implements Request {}

  /** {@link io.openmeet.focus.conference.FocusParticipant#forceMute}. */
  record ForceMute(
      String session, long call, String participantId, Moderation.Media media, boolean muted)
      implements Request {}

  /** {@link io.openmeet.focus.conference.FocusParticipant#lowerHand}. */
  record LowerHand(String session, long call, String participantId) implements Request {}

  /** {@link io.openmeet.focus.conference.FocusParticipant#endMeeting}. */
  record EndMeeting(String session, long call) implements Request {}

  /** Fire and forget: the participant raises or lowers its own hand. */
  record RaiseHand(String session, boolean raised) implements ToOwner {}

  /** {@link io.openmeet.focus.conference.FocusParticipant#iceRestart}. */
  record IceRestart(String session, long call) implements Request {}

  /** {@link io.openmeet.focus.conference.FocusParticipant#offerAgain}. */
  record OfferAgain(String session, long call) implements Request {}

  /** Fire and forget: the participant's microphone, camera and screen state. */
  record MediaState(String session, boolean audio, boolean video, boolean screen)
      implements ToOwner {}

  /** Fire and forget: a chat line to the room. */
  record Chat(String session, String text) implements ToOwner {}

  /** Fire and forget: the participant leaves (idempotent). */
  record Leave(String session, LeaveReason reason) implements ToOwner {}

  /** Any node → owner: the room was closed; its conference ends (no answer). */
  record CloseRoom(String roomId) implements RelayMessage {}

  /** Origin → owner heartbeat: the sessions the origin still holds there. Answered by a pong. */
  record Ping(List<String> sessions) implements RelayMessage {
    public Ping {
      sessions = sessions == null ? List.of() : List.copyOf(sessions);
    }
  }

  /**
   * Owner → origin: the join's outcome, exactly one of a participant id, a failure, or the node
   * that owns the room now (the origin retries there).
   */
  record JoinResult(String session, String participantId, Failure failure, String owner)
      implements RelayMessage {}

  /** Owner → origin: a request's outcome; no failure means it succeeded. */
  record Result(String session, long call, Failure failure) implements RelayMessage {}

  /** Owner → origin: one {@link io.openmeet.focus.conference.ParticipantEvents} call. */
  record Event(String session, RelayEvent event) implements RelayMessage {}

  /** Owner → origin: the sessions of the ping that the owner does not host (any more). */
  record Pong(List<String> unknown) implements RelayMessage {
    public Pong {
      unknown = unknown == null ? List.of() : List.copyOf(unknown);
    }
  }

  /** A refused request, as the owner's {@link FocusException} said it. */
  record Failure(FocusException.Reason reason, String message) {
    public Failure {
      reason = reason == null ? FocusException.Reason.INTERNAL : reason;
    }

    static Failure of(FocusException e) {
      return new Failure(e.reason(), e.getMessage());
    }

    FocusException toException() {
      return new FocusException(reason, message);
    }
  }

  /** A {@link JoinRequest} on the wire (absent optionals are null). */
  record JoinSpec(
      String roomId,
      String roomName,
      int maxParticipants,
      String region,
      String userId,
      String subject,
      String displayName,
      boolean moderator,
      boolean audio,
      boolean video) {

    static JoinSpec of(JoinRequest r) {
      return new JoinSpec(
          r.roomId().toString(),
          r.roomName(),
          r.maxParticipants(),
          r.region().orElse(null),
          r.userId().map(UUID::toString).orElse(null),
          r.subject(),
          r.displayName(),
          r.moderator(),
          r.audio(),
          r.video());
    }

    JoinRequest toRequest() {
      return new JoinRequest(
          UUID.fromString(roomId),
          roomName,
          maxParticipants,
          Optional.ofNullable(region),
          Optional.ofNullable(userId).map(UUID::fromString),
          subject,
          displayName,
          moderator,
          audio,
          video);
    }
  }
}
