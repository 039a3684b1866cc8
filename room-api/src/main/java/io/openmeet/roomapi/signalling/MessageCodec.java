package io.openmeet.roomapi.signalling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.focus.conference.Moderation;
import io.openmeet.focus.sdp.IceCandidate;
import io.openmeet.focus.sdp.SdpParseException;
import io.openmeet.focus.text.HumanText;
import io.openmeet.focus.text.InvalidTextException;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads and writes signalling frames. Every malformed frame becomes a {@link SignallingException}
 * with a stable code; nothing else escapes {@link #decode}.
 */
public final class MessageCodec {

  /** The protocol version announced in `joined`; bump it on incompatible changes. */
  public static final int PROTOCOL_VERSION = 1;

  static final int MAX_TOKEN = 8192;
  static final int MAX_CANDIDATE = 1024;
  static final int MAX_SESSION_ID = 64;

  private final ObjectMapper mapper;
  private final int maxFrameChars;

  public MessageCodec(ObjectMapper mapper, int maxFrameChars) {
    this.mapper = mapper;
    this.maxFrameChars = maxFrameChars;
  }

  /** Parses one text frame from the browser. */
  public ClientMessage decode(String frame) throws SignallingException {
    if (frame.length() > maxFrameChars) {
      throw new SignallingException(
          SignallingError.FRAME_TOO_LARGE,
          "frame of " + frame.length() + " characters exceeds the limit of " + maxFrameChars);
    }
    JsonNode node;
    try {
      node = mapper.readTree(frame);
    } catch (JsonProcessingException e) {
      throw new SignallingException(SignallingError.MALFORMED_JSON, "frame is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw new SignallingException(SignallingError.MALFORMED_JSON, "frame must be a JSON object");
    }
    JsonNode type = node.get("type");
    if (type == null || !type.isTextual()) {
      throw new SignallingException(SignallingError.UNKNOWN_TYPE, "frame has no string `type`");
    }
    return switch (type.asText()) {
      case "join" ->
          new ClientMessage.Join(
              requiredString(node, "token", MAX_TOKEN),
              optionalText(node, "displayName", HumanText.DISPLAY_NAME),
              optionalString(node, "resumeToken", MAX_TOKEN),
              optionalBoolean(node, "audio", true),
              optionalBoolean(node, "video", true));
      case "answer" -> new ClientMessage.Answer(requiredString(node, "sdp", maxFrameChars));
      case "ice-candidate" ->
          new ClientMessage.IceCandidate(
              candidate(requiredStringAllowEmpty(node, "candidate", MAX_CANDIDATE)),
              optionalString(node, "sdpMid", 32),
              optionalInt(node, "sdpMLineIndex"));
      case "media-state" ->
          new ClientMessage.MediaState(
              requiredBoolean(node, "audio"),
              requiredBoolean(node, "video"),
              optionalBoolean(node, "screen", false));
      case "chat" -> new ClientMessage.Chat(text(node, "text", HumanText.CHAT));
      case "moderate" ->
          new ClientMessage.Moderate(
              action(requiredString(node, "action", 16)),
              requiredString(node, "participantId", 64),
              media(optionalString(node, "media", 8).orElse("audio")));
      case "raise-hand" -> new ClientMessage.RaiseHand(requiredBoolean(node, "raised"));
      case "end-meeting" -> new ClientMessage.EndMeeting();
      case "lobby-admit" ->
          new ClientMessage.LobbyDecision(true, requiredString(node, "participantId", 64));
      case "lobby-deny" ->
          new ClientMessage.LobbyDecision(false, requiredString(node, "participantId", 64));
      case "lobby-admit-all" -> new ClientMessage.LobbyAdmitAll();
      case "ice-restart" -> new ClientMessage.IceRestart();
      case "ice-state" -> new ClientMessage.IceState(iceState(requiredString(node, "state", 16)));
      case "p2p-offer", "p2p-answer" ->
          new ClientMessage.P2pDescription(
              requiredString(node, "sessionId", MAX_SESSION_ID),
              type.asText().substring(4),
              requiredString(node, "sdp", maxFrameChars));
      case "p2p-candidate" ->
          new ClientMessage.P2pCandidate(
              requiredString(node, "sessionId", MAX_SESSION_ID),
              candidate(requiredStringAllowEmpty(node, "candidate", MAX_CANDIDATE)),
              optionalString(node, "sdpMid", 32),
              optionalInt(node, "sdpMLineIndex"));
      case "p2p-state" ->
          new ClientMessage.P2pState(
              requiredString(node, "sessionId", MAX_SESSION_ID),
              p2pState(requiredString(node, "state", 16)));
      case "p2p-video" ->
          new ClientMessage.P2pVideo(
              requiredString(node, "sessionId", MAX_SESSION_ID), requiredBoolean(node, "receive"));
      case "leave" -> new ClientMessage.Leave();
      case "ping" -> new ClientMessage.Ping(optionalLong(node, "ts"));
      default ->
          throw new SignallingException(
              SignallingError.UNKNOWN_TYPE,
              "unknown message type `" + abbreviate(type.asText()) + "`");
    };
  }

  /** Writes one frame to the browser. */
  public String encode(ServerMessage message) {
    try {
      return mapper.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      // our own records always serialise; a failure here is a programming error
      throw new IllegalStateException("cannot encode " + message.type(), e);
    }
  }

  private static ClientMessage.Moderate.Action action(String value) throws SignallingException {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "mute" -> ClientMessage.Moderate.Action.MUTE;
      case "allow-unmute" -> ClientMessage.Moderate.Action.ALLOW_UNMUTE;
      case "lower-hand" -> ClientMessage.Moderate.Action.LOWER_HAND;
      case "kick" -> ClientMessage.Moderate.Action.KICK;
      default -> throw invalid("action", "must be mute, allow-unmute, lower-hand or kick");
    };
  }

  private static Moderation.Media media(String value) throws SignallingException {
    return Moderation.Media.of(value).orElseThrow(() -> invalid("media", "must be audio or video"));
  }

  private static ClientMessage.IceState.State iceState(String value) throws SignallingException {
    return switch (value) {
      case "connected" -> ClientMessage.IceState.State.CONNECTED;
      case "failed" -> ClientMessage.IceState.State.FAILED;
      default -> throw invalid("state", "must be connected or failed");
    };
  }

  private static boolean p2pState(String value) throws SignallingException {
    return switch (value) {
      case "connected" -> true;
      case "failed" -> false;
      default -> throw invalid("state", "must be connected or failed");
    };
  }

  private static String requiredString(JsonNode node, String field, int max)
      throws SignallingException {
    String value = requiredStringAllowEmpty(node, field, max);
    if (value.isBlank()) {
      throw invalid(field, "must not be blank");
    }
    return value;
  }

  private static String requiredStringAllowEmpty(JsonNode node, String field, int max)
      throws SignallingException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw invalid(field, "is required");
    }
    if (!value.isTextual()) {
      throw invalid(field, "must be a string");
    }
    if (value.asText().length() > max) {
      throw invalid(field, "must be at most " + max + " characters");
    }
    return value.asText();
  }

  private static Optional<String> optionalString(JsonNode node, String field, int max)
      throws SignallingException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw invalid(field, "must be a string");
    }
    String text = value.asText().strip();
    if (text.length() > max) {
      throw invalid(field, "must be at most " + max + " characters");
    }
    return text.isEmpty() ? Optional.empty() : Optional.of(text);
  }

  /**
   * Human text held to its policy (io.openmeet.focus.text.HumanText), normalised.
   *
   * @throws SignallingException INVALID_TEXT naming the field, the character and where it is
   */
  private static String text(JsonNode node, String field, HumanText kind)
      throws SignallingException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw invalid(field, "is required");
    }
    if (!value.isTextual()) {
      throw invalid(field, "must be a string");
    }
    try {
      return kind.normalize(field, value.asText());
    } catch (InvalidTextException e) {
      throw new SignallingException(SignallingError.INVALID_TEXT, e.getMessage());
    }
  }

  private static Optional<String> optionalText(JsonNode node, String field, HumanText kind)
      throws SignallingException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    return Optional.of(text(node, field, kind));
  }

  /** A trickled candidate held to its grammar; the empty one means end of candidates. */
  private static String candidate(String value) throws SignallingException {
    if (value.isEmpty()) {
      return value;
    }
    try {
      IceCandidate.parse(value);
    } catch (SdpParseException e) {
      throw new SignallingException(SignallingError.INVALID_SDP, "`candidate` " + e.getMessage());
    }
    return value;
  }

  private static boolean requiredBoolean(JsonNode node, String field) throws SignallingException {
    JsonNode value = node.get(field);
    if (value == null || !value.isBoolean()) {
      throw invalid(field, "must be true or false");
    }
    return value.asBoolean();
  }

  private static boolean optionalBoolean(JsonNode node, String field, boolean fallback)
      throws SignallingException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw invalid(field, "must be true or false");
    }
    return value.asBoolean();
  }

  private static Optional<Integer> optionalInt(JsonNode node, String field)
      throws SignallingException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0) {
      throw invalid(field, "must be a non-negative integer");
    }
    return Optional.of(value.asInt());
  }

  private static Optional<Long> optionalLong(JsonNode node, String field)
      throws SignallingException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw invalid(field, "must be an integer");
    }
    return Optional.of(value.asLong());
  }

  private static SignallingException invalid(String field, String problem) {
    return new SignallingException(SignallingError.INVALID_MESSAGE, "`" + field + "` " + problem);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
