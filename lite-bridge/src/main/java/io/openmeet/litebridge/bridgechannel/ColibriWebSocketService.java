package io.openmeet.litebridge.bridgechannel;

import io.openmeet.litebridge.conference.Conference;
import io.openmeet.litebridge.conference.Conferences;
import io.openmeet.litebridge.conference.Endpoint;
import io.vertx.core.Context;
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
 * JVB's JSON messages keyed by `colibriClass`. From clients: `EndpointMessage` (relayed),
 * `ReceiverVideoConstraints` and the legacy `LastNChangedEvent` (to the conference's video
 * allocation). To clients: `ServerHello`, `DominantSpeakerEndpointChangeEvent`, `ForwardedSources`
 * and `SenderSourceConstraints`. Anything else is ignored and logged once per kind.
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
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final IgnoredMessages ignored = new IgnoredMessages();

  /**
   * Each conference's last dominant-speaker event, sent again to a channel that connects later (as
   * JVB does on connect); weak keys, so a conference that is gone drops out.
   */
  private final Map<Conference, JsonObject> lastSpeakerEvents =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  /**
   * One open channel. Every message to it is written from its event loop in the order it was handed
   * over, whichever thread hands it over (a direct write from the event loop could overtake writes
   * that other threads queued before it).
   */
  private final class Channel {
    final ServerWebSocket ws;
    final Context context;

    Channel(ServerWebSocket ws, Context context) {
      this.ws = ws;
      this.context = context;
    }

    void send(JsonObject message) {
      String text = message.encode();
      context.runOnContext(
          v -> {
            if (!ws.isClosed()) {
              ws.writeTextMessage(text);
              sent.incrementAndGet();
            }
          });
    }
  }

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
      ctx.response().setStatusCode(404).end("server id mismatch");
      return;
    }
    Conference conference = conferences.get(meetingId).orElse(null);
    Endpoint endpoint = conference == null ? null : conference.endpoint(endpointId).orElse(null);
    // As JVB: an unknown conference, an unknown endpoint and a wrong password get the same 403,
    // so that a guesser learns nothing about which meetings and endpoints exist.
    if (endpoint == null || !endpoint.passwordMatches(pwd)) {
      ctx.response().setStatusCode(403).end("authentication failed");
      return;
    }
    Context context = ctx.vertx().getOrCreateContext();
    ctx.request()
        .toWebSocket()
        .onSuccess(ws -> accept(conference, endpoint, ws, context))
        .onFailure(e -> LOG.fine("colibri-ws upgrade failed: " + e));
  }

  private void accept(Conference conference, Endpoint endpoint, ServerWebSocket ws, Context ctx) {
    String key = key(conference.meetingId(), endpoint.id());
    Channel channel = new Channel(ws, ctx);
    ws.closeHandler(v -> channels.remove(key, channel));
    ws.textMessageHandler(text -> onMessage(conference, endpoint, text));
    // Registered and greeted under the allocation's lock: no allocation change can slip in
    // between the current state sent here and the changes reported after it. Like JVB on connect:
    // the sender's constraints for each of its sources, then the receiver's forwarded sources.
    conference
        .allocation()
        .withCurrent(
            endpoint.id(),
            (forwarded, ownSources) -> {
              Channel previous = channels.put(key, channel);
              if (previous != null) {
                previous.ws.close();
              }
              channel.send(
                  new JsonObject().put("colibriClass", "ServerHello").put("version", version));
              ownSources.forEach(
                  (source, maxHeight) -> channel.send(senderSourceConstraints(source, maxHeight)));
              channel.send(forwardedSources(forwarded));
              synchronized (lastSpeakerEvents) {
                // under the lock broadcasts take: a newer event can only come after this one
                JsonObject speaker = lastSpeakerEvents.get(conference);
                if (speaker != null
                    && conference
                        .endpoint(speaker.getString("dominantSpeakerEndpoint"))
                        .isPresent()) {
                  channel.send(speaker);
                }
              }
            });
    endpoint.touch();
  }

  private void onMessage(Conference conference, Endpoint endpoint, String text) {
    received.incrementAndGet();
    endpoint.touch();
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      ignored.ignored("not a JSON object", "from " + endpoint.id() + ": " + abbreviate(text));
      return;
    }
    String colibriClass = message.getValue("colibriClass") instanceof String s ? s : "";
    try {
      switch (colibriClass) {
        case "EndpointMessage" -> relay(conference, endpoint, message);
        case "ReceiverVideoConstraints" ->
            conference
                .allocation()
                .receiverConstraints(endpoint.id(), ReceiverVideoConstraintsParser.parse(message));
        case "LastNChangedEvent" -> {
          Integer lastN = ReceiverVideoConstraintsParser.lastN(message);
          if (lastN != null) {
            conference.allocation().lastN(endpoint.id(), lastN);
          }
        }
        default ->
            ignored.ignored(
                "colibriClass '" + abbreviate(colibriClass) + "'", "from " + endpoint.id());
      }
    } catch (ReceiverVideoConstraintsParser.InvalidMessageException e) {
      ignored.ignored("invalid " + colibriClass, "from " + endpoint.id() + ": " + e.getMessage());
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

  /**
   * Tells every endpoint of the conference about a new dominant speaker; channels that connect
   * later get it right after their greeting.
   */
  public void dominantSpeakerChanged(
      Conference conference, String endpointId, List<String> previousSpeakers) {
    JsonObject event =
        new JsonObject()
            .put("colibriClass", "DominantSpeakerEndpointChangeEvent")
            .put("dominantSpeakerEndpoint", endpointId)
            .put("previousSpeakers", new JsonArray(List.copyOf(previousSpeakers)))
            .put("silence", false);
    synchronized (lastSpeakerEvents) {
      lastSpeakerEvents.put(conference, event);
      for (Endpoint endpoint : conference.endpoints()) {
        sendTo(conference, endpoint.id(), event);
      }
    }
  }

  /** Tells a receiver which video sources it is now sent (JVB's `ForwardedSources`). */
  public void forwardedSourcesChanged(
      Conference conference, String endpointId, List<String> sources) {
    sendTo(conference, endpointId, forwardedSources(sources));
  }

  /** Tells a sender the largest height anyone now gets one of its sources at. */
  public void senderSourceConstraintsChanged(
      Conference conference, String endpointId, String sourceName, int maxHeight) {
    sendTo(conference, endpointId, senderSourceConstraints(sourceName, maxHeight));
  }

  /** Closes the channel of an expired endpoint. */
  public void endpointExpired(Conference conference, Endpoint endpoint) {
    Channel channel = channels.remove(key(conference.meetingId(), endpoint.id()));
    if (channel != null) {
      channel.ws.close((short) 1001, "endpoint expired");
    }
  }

  /** Whether an endpoint has an open channel. */
  public boolean isConnected(String meetingId, String endpointId) {
    return channels.containsKey(key(meetingId, endpointId));
  }

  private static JsonObject forwardedSources(List<String> sources) {
    return new JsonObject()
        .put("colibriClass", "ForwardedSources")
        .put("forwardedSources", new JsonArray(List.copyOf(sources)));
  }

  private static JsonObject senderSourceConstraints(String sourceName, int maxHeight) {
    return new JsonObject()
        .put("colibriClass", "SenderSourceConstraints")
        .put("sourceName", sourceName)
        .put("maxHeight", maxHeight);
  }

  private void sendTo(Conference conference, String endpointId, JsonObject message) {
    Channel channel = channels.get(key(conference.meetingId(), endpointId));
    if (channel != null) {
      channel.send(message);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }

  private static String key(String meetingId, String endpointId) {
    return meetingId + "/" + endpointId;
  }
}
