package io.openmeet.roomapi.signalling;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.PathParam;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

/**
 * The browser signalling WebSocket: one socket per participant, JSON text frames (docs/API.md). The
 * room in the path is the room the join token must be for. Frames of one socket are handled one at
 * a time on a worker thread (joining talks to the bridge).
 */
@WebSocket(path = "/api/signalling/{room}", endpointId = SignallingSocket.ENDPOINT_ID)
public class SignallingSocket {

  /** The websockets-next id of this endpoint. */
  static final String ENDPOINT_ID = "openmeet-signalling";

  private static final Logger LOG = Logger.getLogger(SignallingSocket.class);

  private final SignallingSessions sessions;
  private final MessageCodec errors;

  SignallingSocket(
      SignallingSessions sessions, com.fasterxml.jackson.databind.ObjectMapper mapper) {
    this.sessions = sessions;
    this.errors = new MessageCodec(mapper, Integer.MAX_VALUE);
  }

  @OnOpen
  public void onOpen(WebSocketConnection connection, @PathParam String room) {
    String address = connection.userData().get(SignallingUpgrade.CLIENT_ADDRESS);
    sessions.opened(connection, room, address == null ? "unknown" : address);
  }

  @OnTextMessage
  public void onText(WebSocketConnection connection, String frame) {
    sessions.frame(connection, frame);
  }

  /** Answered with a text `error` frame: a returned String would go back as a binary frame. */
  @OnBinaryMessage
  public Uni<Void> onBinary(WebSocketConnection connection, Buffer frame) {
    return connection.sendText(
        errors.encode(
            ServerMessage.Error.of(
                SignallingError.MALFORMED_JSON,
                "binary frames are not supported; send JSON text")));
  }

  @OnClose
  public void onClose(WebSocketConnection connection, CloseReason reason) {
    sessions.closed(connection, reason == null ? CloseReason.ABNORMAL.getCode() : reason.getCode());
  }

  @OnError
  public void onError(WebSocketConnection connection, Throwable failure) {
    LOG.debugf("signalling socket %s failed: %s", connection.id(), failure.toString());
  }
}
