package io.openmeet.litebridge;

import static io.openmeet.litebridge.Colibri2Requests.createEndpoint;
import static io.openmeet.litebridge.Colibri2Requests.expireEndpoint;
import static io.openmeet.litebridge.Colibri2Requests.request;
import static io.openmeet.litebridge.Colibri2Requests.updateEndpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.config.BridgeConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jitsi.xmpp.extensions.colibri.WebSocketPacketExtension;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifiedIQ;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.Jid;

/**
 * The video-allocation messages of the bridge channel, as JVB speaks them, with endpoints allocated
 * over Colibri2 on the real Prosody and channels on the real colibri-ws server (the media plane is
 * the recording double; media-testkit's VideoAllocationMediaTest moves real packets):
 * ForwardedSources and SenderSourceConstraints on connect and on every change caused by
 * ReceiverVideoConstraints, a dominant-speaker change or an endpoint leaving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BridgeChannelAllocationTest {
  private final String brewery = TestEnv.uniqueBrewery();
  private final String nickname = TestEnv.random("bridge-");
  private final HttpClient http = HttpClient.newHttpClient();
  private RecordingMediaEngine engine;
  private LiteBridge bridge;
  private FocusClient focus;
  private Jid bridgeJid;

  @BeforeAll
  void start() throws Exception {
    engine = new RecordingMediaEngine();
    bridge =
        new LiteBridge(
                BridgeConfig.load(TestEnv.bridgeOverrides(brewery, nickname)),
                engine,
                Clock.systemUTC(),
                () -> 0.0)
            .start();
    focus = new FocusClient(brewery);
    focus.awaitStats(nickname, s -> true, Duration.ofSeconds(15));
    bridgeJid = focus.occupant(nickname);
  }

  @AfterAll
  void stop() {
    if (focus != null) {
      focus.close();
    }
    if (bridge != null) {
      bridge.close();
    }
  }

  /** Allocates an endpoint with an audio and a video source (`<id>-v0`) and opens its channel. */
  private WsClient join(String meetingId, String id, int ssrcBase, boolean first) throws Exception {
    var create = request(bridgeJid, meetingId).setCreate(first);
    create.addEndpoint(createEndpoint(id, true));
    ConferenceModifiedIQ created = (ConferenceModifiedIQ) focus.request(create.build());
    String url =
        created
            .getEndpoints()
            .get(0)
            .getTransport()
            .getIceUdpTransport()
            .getFirstChildOfType(WebSocketPacketExtension.class)
            .getUrl();
    var update =
        request(bridgeJid, meetingId)
            .addEndpoint(updateEndpoint(id, ssrcBase, ssrcBase + 1, ssrcBase + 2));
    assertThat(focus.request(update.build())).isInstanceOf(ConferenceModifiedIQ.class);
    WsClient client = new WsClient(http, url);
    assertThat(client.next().getString("colibriClass")).isEqualTo("ServerHello");
    return client;
  }

  private static JsonObject rvc(JsonObject fields) {
    return fields.copy().put("colibriClass", "ReceiverVideoConstraints");
  }

  private static JsonObject maxHeight(int px) {
    return new JsonObject().put("maxHeight", px);
  }

  private static List<String> forwarded(WsClient c) throws InterruptedException {
    JsonArray sources = c.next("ForwardedSources").getJsonArray("forwardedSources");
    return sources.stream().map(String.class::cast).toList();
  }

  private static JsonObject senderConstraints(WsClient c) throws InterruptedException {
    return c.next("SenderSourceConstraints");
  }

  private static JsonObject constraint(String source, int maxHeight) {
    return new JsonObject()
        .put("colibriClass", "SenderSourceConstraints")
        .put("sourceName", source)
        .put("maxHeight", maxHeight);
  }

  /** Nothing more of a class arrives within a short while. */
  private static void assertNoMore(WsClient c, String colibriClass) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
    while (System.nanoTime() < deadline) {
      JsonObject m = c.received.poll(50, TimeUnit.MILLISECONDS);
      assertThat(m == null ? null : m.getString("colibriClass")).isNotEqualTo(colibriClass);
    }
  }

  @Test
  void receiversGetWhatTheirConstraintsAndLastNAllowAndSendersHearTheLargestHeight()
      throws Exception {
    String meetingId = UUID.randomUUID().toString();
    var media = engine.conferences;
    try (WsClient a = join(meetingId, "a", 100, true);
        WsClient b = join(meetingId, "b", 200, false);
        WsClient c = join(meetingId, "c", 300, false)) {
      // on connect, as JVB: the sender's constraints per source (nobody wants it yet), then the
      // receiver's forwarded sources (none before its first ReceiverVideoConstraints)
      for (var entry : List.of(List.of(a, "a-v0"), List.of(b, "b-v0"), List.of(c, "c-v0"))) {
        WsClient client = (WsClient) entry.get(0);
        assertThat(senderConstraints(client)).isEqualTo(constraint((String) entry.get(1), 0));
        assertThat(forwarded(client)).isEmpty();
      }
      assertThat(media.get(meetingId).endpoints.get("a").forwardedVideo).isEmpty();

      // c shows only b's tile, at 360p
      c.send(
          rvc(
              new JsonObject()
                  .put("lastN", -1)
                  .put("defaultConstraints", maxHeight(0))
                  .put("constraints", new JsonObject().put("b-v0", maxHeight(360)))));
      assertThat(forwarded(c)).containsExactly("b-v0");
      assertThat(senderConstraints(b)).isEqualTo(constraint("b-v0", 360));
      BridgeChannelTest.awaitTrue(
          () -> Set.of("b-v0").equals(media.get(meetingId).endpoints.get("c").forwardedVideo));

      // a's first message names nothing and has no defaultConstraints: everything at 180p
      a.send(rvc(new JsonObject()));
      assertThat(forwarded(a)).containsExactly("b-v0", "c-v0");
      assertThat(senderConstraints(c)).isEqualTo(constraint("c-v0", 180));
      // b already sends 360 for c: its constraint does not change, so no message
      assertNoMore(b, "SenderSourceConstraints");

      // a goes to lastN 1 and c becomes the dominant speaker: a gets only c
      a.send(rvc(new JsonObject().put("lastN", 1)));
      assertThat(forwarded(a)).containsExactly("b-v0");
      media.get(meetingId).listener.dominantSpeakerChanged("c", List.of());
      assertThat(forwarded(a)).containsExactly("c-v0");

      // c sets maxHeight 0 for b: b's video stops for c and b is told nobody wants it
      c.send(rvc(new JsonObject().put("constraints", new JsonObject().put("b-v0", maxHeight(0)))));
      assertThat(forwarded(c)).isEmpty();
      assertThat(senderConstraints(b)).isEqualTo(constraint("b-v0", 0));

      // malformed and unknown messages change nothing; the channel keeps working
      a.send(rvc(new JsonObject().put("lastN", "all")));
      a.send(rvc(new JsonObject().put("constraints", new JsonArray())));
      a.send(new JsonObject().put("colibriClass", "SourceVideoTypeMessage"));
      assertNoMore(a, "ForwardedSources");
      a.send(rvc(new JsonObject().put("lastN", -1)));
      assertThat(forwarded(a)).containsExactly("c-v0", "b-v0");
      assertThat(senderConstraints(b)).isEqualTo(constraint("b-v0", 180));

      // c leaves: a gets only b, and c's constraint on b no longer counts
      focus.request(request(bridgeJid, meetingId).addEndpoint(expireEndpoint("c")).build());
      assertThat(forwarded(a)).containsExactly("b-v0");
    }
  }

  @Test
  void aReconnectingChannelIsToldTheCurrentStateAgain() throws Exception {
    String meetingId = UUID.randomUUID().toString();
    try (WsClient a = join(meetingId, "a", 400, true);
        WsClient b = join(meetingId, "b", 500, false)) {
      assertThat(forwarded(b)).isEmpty();
      b.send(rvc(new JsonObject().put("defaultConstraints", maxHeight(720))));
      assertThat(forwarded(b)).containsExactly("a-v0");
      assertThat(senderConstraints(a)).isEqualTo(constraint("a-v0", 0));
      assertThat(senderConstraints(a)).isEqualTo(constraint("a-v0", 720));
    }
    // both channels dropped (a reload, a network change); the endpoints stay
    String bUrl = channelUrl(meetingId, "b");
    try (WsClient b = new WsClient(http, bUrl)) {
      assertThat(b.next().getString("colibriClass")).isEqualTo("ServerHello");
      assertThat(senderConstraints(b)).isEqualTo(constraint("b-v0", 0));
      assertThat(forwarded(b)).containsExactly("a-v0");
    }
  }

  private String channelUrl(String meetingId, String endpointId) {
    var conference = bridge.conferences().get(meetingId).orElseThrow();
    var endpoint = conference.endpoint(endpointId).orElseThrow();
    return "ws://127.0.0.1:"
        + bridge.restPort()
        + "/colibri-ws/default-id/"
        + meetingId
        + "/"
        + endpointId
        + "?pwd="
        + endpoint.webSocketPassword();
  }
}
