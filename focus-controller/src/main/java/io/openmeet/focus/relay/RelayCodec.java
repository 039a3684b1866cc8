package io.openmeet.focus.relay;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The relay's wire format: one JSON object per node message, {@code {"v":1,"from":"<node
 * id>","message":{"type":"…",…}}}. A node drops messages of another version (logged), so a change
 * that old nodes cannot read takes a new version; fields a reader does not know are ignored, so
 * adding an optional field does not. A message type an older node does not know is dropped there
 * (logged as unreadable): the sender's wait for its answer times out, as with a silent owner.
 */
final class RelayCodec {

  /** The wire version this node speaks. */
  static final int VERSION = 1;

  /** One message as sent: the version, the sending node, the message. */
  record Envelope(int v, String from, RelayMessage message) {}

  /** A message this node cannot read. */
  static final class UnreadableMessageException extends Exception {
    UnreadableMessageException(String message) {
      super(message);
    }

    UnreadableMessageException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ObjectMapper json =
      new ObjectMapper()
          .setDefaultPropertyInclusion(
              JsonInclude.Value.construct(
                  JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          // a reason added by a newer node reads as null (then INTERNAL), not as garbage
          .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL, true);

  String encode(String from, RelayMessage message) {
    try {
      return json.writeValueAsString(new Envelope(VERSION, from, message));
    } catch (JsonProcessingException e) {
      // records of strings, numbers and lists always serialize
      throw new IllegalStateException("relay message not serializable: " + message, e);
    }
  }

  Envelope decode(String text) throws UnreadableMessageException {
    JsonNode tree;
    try {
      tree = json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UnreadableMessageException("not JSON", e);
    }
    if (tree == null || !tree.isObject()) {
      throw new UnreadableMessageException("not a JSON object");
    }
    int version = tree.path("v").asInt(-1);
    if (version != VERSION) {
      throw new UnreadableMessageException(
          "wire version " + tree.path("v") + " (this node speaks " + VERSION + ")");
    }
    Envelope envelope;
    try {
      envelope = json.treeToValue(tree, Envelope.class);
    } catch (JsonProcessingException e) {
      // the original message leaves out the source, which may hold SDP
      throw new UnreadableMessageException("malformed: " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new UnreadableMessageException("malformed: " + e.getClass().getSimpleName(), e);
    }
    if (envelope.from() == null || envelope.message() == null) {
      throw new UnreadableMessageException("no sender or no message");
    }
    if (!complete(envelope.message())) {
      throw new UnreadableMessageException(
          "a " + envelope.message().getClass().getSimpleName() + " without its required fields");
    }
    return envelope;
  }

  private static boolean complete(RelayMessage m) {
    if (m instanceof RelayMessage.ToOwner t && t.session() == null) {
      return false;
    }
    if (m instanceof RelayMessage.Join j) {
      return j.request() != null && j.request().roomId() != null;
    }
    if (m instanceof RelayMessage.Resume r) {
      return r.roomId() != null && r.participantId() != null && r.subject() != null;
    }
    if (m instanceof RelayMessage.Leave l) {
      return l.reason() != null;
    }
    if (m instanceof RelayMessage.ForceMute f) {
      return f.media() != null;
    }
    if (m instanceof RelayMessage.Event e) {
      return e.session() != null && e.event() != null;
    }
    if (m instanceof RelayMessage.CloseRoom c) {
      return c.roomId() != null;
    }
    if (m instanceof RelayMessage.JoinResult r) {
      return r.session() != null;
    }
    if (m instanceof RelayMessage.Result r) {
      return r.session() != null;
    }
    return true;
  }
}
