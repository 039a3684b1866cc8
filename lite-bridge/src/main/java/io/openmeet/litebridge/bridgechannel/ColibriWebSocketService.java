package io.openmeet.litebridge.bridgechannel;

import io.openmeet.litebridge.conference.Conference;
import io.openmeet.litebridge.conference.Conferences;
import io.openmeet.litebridge.conference.Endpoint;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The bridge channel over WebSocket (`/colibri-ws/{server-id}/{conf-id}/{endpoint-id}?pwd=`), with
 * JVB's JSON messages keyed by `colibriClass`: `ServerHello` on connect, `EndpointMessage` relay,
 * `DominantSpeakerEndpointChangeEvent` forwarding and `ReceiverVideoConstraints` (lastN = 0 stops
 * video to the receiver).
 */
public final class ColibriWebSocketService {
  private static final Logger LOG = Logger.getLogger(ColibriWebSocketService.class.getName());

  /** The path prefix of colibri-ws URLs. */
  public static final String PATH_PREFIX = "/colibri-ws/";

  private final Conferences conferences;
  private final String serverId;
  private final String version;
  private final AtomicLong received;
  private final AtomicLong sent;
  private final Map<String, ServerWebSocket> sockets = new ConcurrentHashMap<>();

  public ColibriWebSocketService(
      Conferences conferences,
      String serverId,
      String version,
      AtomicLong received,
      AtomicLong sent) {
    this.conferences = conferences;
    this.serverId = serverId;
    this.version = version;
    this.received = received;
    this.sent = sent;
  }

  /** The URL path and query for one endpoint's channel (the authority is added by the caller). */
  public String pathFor(String meetingId, String endpointId, String password) {
    return PATH_PREFIX + serverId + "/" + meetingId + "/" + endpointId + "?pwd=" + password;
  }

  /** Route handler for `GET /colibri-ws/:server/:conf/:ep`: checks the endpoint, then upgrades. */
  public void handle(RoutingContext ctx) {
    String server = ctx.pathParam("server");
    String meetingId = ctx.pathParam("conf");
    String endpointId = ctx.pathParam("ep");
    String pwd = ctx.request().getParam("pwd");
    if (!serverId.equals(server)) {
      ctx.response().setStatusCode(404).end("unknown server id");
      return;
    }
    Conference conference = conferences.get(meetingId).orElse(null);
    Endpoint endpoint = conference == null ? null : conference.endpoint(endpointId).orElse(null);
    if (endpoint == null) {
      ctx.response().setStatusCode(404).end("unknown conference or endpoint");
      return;
    }
    if (!endpoint.passwordMatches(pwd)) {
      ctx.response().setStatusCode(401).end("wrong password");
      return;
    }
    ctx.request()
        .toWebSocket()
        .onSuccess(ws -> accept(conference, endpoint, ws))
        .onFailure(e -> LOG.fine("colibri-ws upgrade failed: " + e));
  }

  private void accept(Conference conference, Endpoint endpoint, ServerWebSocket ws) {
    String key = key(conference.meetingId(), endpoint.id());
    ServerWebSocket previous = sockets.put(key, ws);
    if (previous != null) {
      previous.close();
    }
    ws.closeHandler(v -> sockets.remove(key, ws));
    ws.textMessageHandler(text -> onMessage(conference, endpoint, text));
    send(ws, new JsonObject().put("colibriClass", "ServerHello").put("version", version));
    endpoint.touch();
  }

  private void onMessage(Conference conference, Endpoint endpoint, String text) {
    received.incrementAndGet();
    endpoint.touch();
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      LOG.fine("ignoring a malformed bridge-channel message from " + endpoint.id());
      return;
    }
    String colibriClass = message.getValue("colibriClass") instanceof String s ? s : "";
    switch (colibriClass) {
      case "EndpointMessage" -> relay(conference, endpoint, message);
      case "ReceiverVideoConstraints", "LastNChangedEvent" -> {
        if (message.getValue("lastN") instanceof Number lastN) {
          endpoint.transport().setReceiveVideo(lastN.intValue() != 0);
        }
      }
      default -> LOG.fine("ignoring bridge-channel message " + colibriClass);
    }
  }

  private void relay(Conference conference, Endpoint from, JsonObject message) {
    JsonObject forwarded = message.copy().put("from", from.id());
    String to = message.getValue("to") instanceof String s ? s : "";
    if (to.isEmpty()) {
      for (Endpoint other : conference.endpoints()) {
        if (!other.id().equals(from.id())) {
          sendTo(conference, other.id(), forwarded);
        }
      }
    } else {
      sendTo(conference, to, forwarded);
    }
  }

  /** Tells every endpoint of the conference about a new dominant speaker. */
  public void dominantSpeakerChanged(
      Conference conference, String endpointId, List<String> previousSpeakers) {
    JsonObject event =
        new JsonObject()
            .put("colibriClass", "DominantSpeakerEndpointChangeEvent")
            .put("dominantSpeakerEndpoint", endpointId)
            .put("previousSpeakers", new JsonArray(List.copyOf(previousSpeakers)))
            .put("silence", false);
    for (Endpoint endpoint : conference.endpoints()) {
      sendTo(conference, endpoint.id(), event);
    }
  }

  /** Closes the channel of an expired endpoint. */
  public void endpointExpired(Conference conference, Endpoint endpoint) {
    ServerWebSocket ws = sockets.remove(key(conference.meetingId(), endpoint.id()));
    if (ws != null) {
      ws.close((short) 1001, "endpoint expired");
    }
  }

  /** Whether an endpoint has an open channel. */
  public boolean isConnected(String meetingId, String endpointId) {
    return sockets.containsKey(key(meetingId, endpointId));
  }

  private void sendTo(Conference conference, String endpointId, JsonObject message) {
    ServerWebSocket ws = sockets.get(key(conference.meetingId(), endpointId));
    if (ws != null) {
      send(ws, message);
    }
  }

  private void send(ServerWebSocket ws, JsonObject message) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(message.encode());
      sent.incrementAndGet();
    }
  }

  private static String key(String meetingId, String endpointId) {
    return meetingId + "/" + endpointId;
  }
}
