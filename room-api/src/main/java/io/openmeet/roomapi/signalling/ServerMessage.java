package io.openmeet.roomapi.signalling;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** A frame to the browser; {@link MessageCodec#encode} writes it with its `type` first. */
@JsonPropertyOrder({"type"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerMessage {

  /** The wire `type` of the frame. */
  @JsonProperty("type")
  String type();

  /**
   * A participant as the others see it; `audioForceMuted` / `videoForceMuted`: a moderator muted it
   * at the bridge; `handRaisedAt`: when it raised its hand (absent while it is down).
   */
  record Participant(
      String participantId,
      String displayName,
      boolean moderator,
      boolean audio,
      boolean video,
      boolean screen,
      boolean audioForceMuted,
      boolean videoForceMuted,
      Long handRaisedAt) {

    /** A participant nobody moderated, hand down. */
    public Participant(
        String participantId,
        String displayName,
        boolean moderator,
        boolean audio,
        boolean video,
        boolean screen) {
      this(participantId, displayName, moderator, audio, video, screen, false, false, null);
    }
  }

  /** An ICE server for the browser's RTCPeerConnection (TURN credentials are short-lived). */
  record IceServer(List<String> urls, String username, String credential) {}

  /** The join succeeded. */
  record Joined(
      int protocolVersion,
      String participantId,
      String roomId,
      boolean moderator,
      List<Participant> participants,
      List<IceServer> iceServers,
      String resumeToken)
      implements ServerMessage {
    @Override
    public String type() {
      return "joined";
    }
  }

  /**
   * A new SDP offer (the server is always the offerer); `bridgeChannelUrl` is the colibri-ws URL.
   */
  record Offer(String sdp, String bridgeChannelUrl) implements ServerMessage {
    @Override
    public String type() {
      return "offer";
    }
  }

  /** Someone entered the room. */
  record ParticipantJoined(Participant participant) implements ServerMessage {
    @Override
    public String type() {
      return "participant-joined";
    }
  }

  /**
   * Someone left the room; `reason` is leave, disconnected, timeout, kicked, room-closed or
   * meeting-ended.
   */
  record ParticipantLeft(String participantId, String reason) implements ServerMessage {
    @Override
    public String type() {
      return "participant-left";
    }
  }

  /** A participant's microphone, camera or screen share changed (also after a moderator mute). */
  record MediaState(String participantId, boolean audio, boolean video, boolean screen)
      implements ServerMessage {
    @Override
    public String type() {
      return "media-state";
    }
  }

  /** A chat line; `ts` is the server's epoch milliseconds. */
  record Chat(String from, String displayName, String text, long ts) implements ServerMessage {
    @Override
    public String type() {
      return "chat";
    }
  }

  /**
   * A moderator muted this participant's microphone at the bridge (the client turns it off; it
   * cannot unmute until allowed, see `force-muted`).
   */
  /**
   * This node stops hosting the participant's session (it shuts down, or the conference moved to
   * another node); the socket closes next with 1012. The participant did not leave and its media
   * goes on: reconnect (to any node) and join with the resume token to continue. `reason`:
   * `node-shutdown` or `conference-moved`.
   */
  record Reconnect(String reason) implements ServerMessage {
    @Override
    public String type() {
      return "reconnect";
    }
  }

  record Muted(String by, String media) implements ServerMessage {
    public Muted(String by) {
      this(by, "audio");
    }

    @Override
    public String type() {
      return "muted";
    }
  }

  /** Connect directly to `peerId` (the room has two participants); the initiator offers. */
  record P2pStart(String sessionId, String peerId, boolean initiator) implements ServerMessage {
    @Override
    public String type() {
      return "p2p-start";
    }
  }

  /** Both ends of the P2P session are connected: the bridge endpoint is released. */
  record P2pActive(String sessionId) implements ServerMessage {
    @Override
    public String type() {
      return "p2p-active";
    }
  }

  /**
   * The P2P session ends (`reason` participants or failed): media moves to the bridge; close the
   * P2P connection once the bridge's media flows.
   */
  record P2pStop(String sessionId, String reason) implements ServerMessage {
    @Override
    public String type() {
      return "p2p-stop";
    }
  }

  /** The peer's P2P offer (`type` p2p-offer) or answer (p2p-answer). */
  record P2pDescription(String type, String sessionId, String from, String sdp)
      implements ServerMessage {}

  /** Whether the peer wants our video over P2P (false: it is audio only; stop sending video). */
  record P2pVideo(String sessionId, String from, boolean receive) implements ServerMessage {
    @Override
    public String type() {
      return "p2p-video";
    }
  }

  /** The peer's trickled P2P candidate. */
  record P2pCandidate(
      String sessionId, String from, String candidate, String sdpMid, Integer sdpMLineIndex)
      implements ServerMessage {
    @Override
    public String type() {
      return "p2p-candidate";
    }
  }

  /**
   * A participant's force-mute changed (the whole state: `audio`, `video`); sent to everyone. While
   * true, the bridge drops that media of the participant and its own unmute is refused.
   */
  record ForceMuted(String participantId, boolean audio, boolean video, String by)
      implements ServerMessage {
    @Override
    public String type() {
      return "force-muted";
    }
  }

  /**
   * A participant raised (`raised`, `raisedAt` orders the hands) or lowered its hand, or a
   * moderator lowered it (`by`); sent to everyone.
   */
  record HandRaised(String participantId, boolean raised, Long raisedAt, String by)
      implements ServerMessage {
    @Override
    public String type() {
      return "hand-raised";
    }
  }

  /**
   * The participant waits in the room's lobby (no conference, no media, no chat) until a moderator
   * admits or denies it; sent again whenever {@code moderatorPresent} changes.
   */
  record LobbyWaiting(String participantId, String roomId, boolean moderatorPresent)
      implements ServerMessage {
    @Override
    public String type() {
      return "lobby-waiting";
    }
  }

  /** To moderators: someone waits in the lobby (on knocking, and on the moderator's arrival). */
  record LobbyRequest(String participantId, String displayName) implements ServerMessage {
    @Override
    public String type() {
      return "lobby-request";
    }
  }

  /** To moderators: a waiter left the lobby; {@code reason} is admitted, denied or left. */
  record LobbyLeft(String participantId, String reason) implements ServerMessage {
    @Override
    public String type() {
      return "lobby-left";
    }
  }

  /** To the waiter: a moderator turned it away; the socket closes (1000, lobby-denied). */
  record LobbyDenied(String message) implements ServerMessage {
    @Override
    public String type() {
      return "lobby-denied";
    }
  }

  /** A request failed; `code` is one of {@link SignallingError}'s codes. */
  record Error(String code, String message, Long retryAfterMs) implements ServerMessage {
    /** An error frame for a {@link SignallingError}. */
    public static Error of(SignallingError error, String message) {
      return new Error(error.code(), message, null);
    }

    /** An error frame that says when trying again may work. */
    public static Error retryable(SignallingError error, String message, long retryAfterMs) {
      return new Error(error.code(), message, retryAfterMs);
    }

    @Override
    public String type() {
      return "error";
    }
  }

  /** Answer to `ping`. */
  record Pong(Long ts) implements ServerMessage {
    @Override
    public String type() {
      return "pong";
    }
  }
}
