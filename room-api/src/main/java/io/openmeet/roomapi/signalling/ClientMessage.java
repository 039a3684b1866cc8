package io.openmeet.roomapi.signalling;

import io.openmeet.focus.conference.Moderation;
import java.util.Optional;

/** A frame from the browser, already validated by {@link MessageCodec}. */
public sealed interface ClientMessage {

  /**
   * Enter the room: the JWT from the token endpoint, an optional name and initial mic/camera state.
   */
  record Join(
      String token,
      Optional<String> displayName,
      Optional<String> resumeToken,
      boolean audio,
      boolean video)
      implements ClientMessage {}

  /** The browser's SDP answer to the last `offer`. */
  record Answer(String sdp) implements ClientMessage {}

  /** A trickled local ICE candidate; an empty candidate means end of candidates. */
  record IceCandidate(String candidate, Optional<String> sdpMid, Optional<Integer> sdpMLineIndex)
      implements ClientMessage {}

  /** Microphone, camera and screen-share state of the sender. */
  record MediaState(boolean audio, boolean video, boolean screen) implements ClientMessage {}

  /** A chat line to everyone in the room. */
  record Chat(String text) implements ClientMessage {}

  /**
   * A moderator action on another participant; {@code media} (audio or video) says what `mute` and
   * `allow-unmute` act on.
   */
  record Moderate(Action action, String participantId, Moderation.Media media)
      implements ClientMessage {
    /** What the moderator asks for. */
    public enum Action {
      MUTE,
      ALLOW_UNMUTE,
      LOWER_HAND,
      KICK
    }

    /** An action on the participant's audio (the default media). */
    public Moderate(Action action, String participantId) {
      this(action, participantId, Moderation.Media.AUDIO);
    }
  }

  /** The sender raises or lowers its hand (asks to speak). */
  record RaiseHand(boolean raised) implements ClientMessage {}

  /** A moderator ends the meeting for everyone. */
  record EndMeeting() implements ClientMessage {}

  /** A moderator's answer to someone waiting in the lobby. */
  record LobbyDecision(boolean admit, String participantId) implements ClientMessage {}

  /** A moderator lets everyone waiting in the lobby in. */
  record LobbyAdmitAll() implements ClientMessage {}

  /** Ask for a fresh offer with new ICE credentials after an ICE failure. */
  record IceRestart() implements ClientMessage {}

  /** The browser's ICE connection reached a state that ends a connection attempt. */
  record IceState(State state) implements ClientMessage {
    /** The reported state. */
    public enum State {
      CONNECTED,
      FAILED
    }
  }

  /** Leave the room on purpose. */
  record Leave() implements ClientMessage {}

  /** Keep-alive; answered by `pong` with the same `ts`. */
  record Ping(Optional<Long> ts) implements ClientMessage {}

  /** The P2P initiator's offer or the responder's answer, for its peer. */
  record P2pDescription(String sessionId, String kind, String sdp) implements ClientMessage {}

  /** A trickled candidate of the P2P connection, for the peer; empty = end of candidates. */
  record P2pCandidate(
      String sessionId, String candidate, Optional<String> sdpMid, Optional<Integer> sdpMLineIndex)
      implements ClientMessage {}

  /** How the P2P connection went: connected, or failed (also: not connected in time). */
  record P2pState(String sessionId, boolean connected) implements ClientMessage {}

  /** Whether this end wants the peer's video over P2P (false: audio only), for the peer. */
  record P2pVideo(String sessionId, boolean receive) implements ClientMessage {}
}
