package io.openmeet.litebridge;

import static io.openmeet.litebridge.Colibri2Requests.createEndpoint;
import static io.openmeet.litebridge.Colibri2Requests.expireEndpoint;
import static io.openmeet.litebridge.Colibri2Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.config.BridgeConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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
 * The colibri-ws bridge channel, with URLs obtained over Colibri2 from a bridge on the real
 * Prosody: ServerHello, EndpointMessage relay, dominant-speaker events, and rejection of wrong
 * passwords and unknown endpoints. The video-allocation messages: {@link
 * BridgeChannelAllocationTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BridgeChannelTest {
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

  private String webSocketUrl(String meetingId, String endpointId, boolean createConference)
      throws Exception {
    var b = request(bridgeJid, meetingId).setCreate(createConference);
    b.addEndpoint(createEndpoint(endpointId, true));
    ConferenceModifiedIQ response = (ConferenceModifiedIQ) focus.request(b.build());
    return response
        .getEndpoints()
        .get(0)
        .getTransport()
        .getIceUdpTransport()
        .getFirstChildOfType(WebSocketPacketExtension.class)
        .getUrl();
  }

  @Test
  void endpointsTalkThroughTheBridgeChannel() throws Exception {
    String meetingId = UUID.randomUUID().toString();
    String url1 = webSocketUrl(meetingId, "ep1", true);
    String url2 = webSocketUrl(meetingId, "ep2", false);
    String url3 = webSocketUrl(meetingId, "ep3", false);
    try (WsClient ep1 = new WsClient(http, url1);
        WsClient ep2 = new WsClient(http, url2);
        WsClient ep3 = new WsClient(http, url3)) {
      for (WsClient c : List.of(ep1, ep2, ep3)) {
        JsonObject hello = c.next();
        assertThat(hello.getString("colibriClass")).isEqualTo("ServerHello");
      }

      // To one endpoint: only it receives, with "from".
      JsonObject payload = new JsonObject().put("type", "e2e-key").put("n", 7);
      ep1.send(
          new JsonObject()
              .put("colibriClass", "EndpointMessage")
              .put("to", "ep2")
              .put("msgPayload", payload));
      JsonObject relayed = ep2.next("EndpointMessage");
      assertThat(relayed.getString("from")).isEqualTo("ep1");
      assertThat(relayed.getJsonObject("msgPayload")).isEqualTo(payload);

      // Broadcast: everyone but the sender.
      ep3.send(
          new JsonObject()
              .put("colibriClass", "EndpointMessage")
              .put("to", "")
              .put("msgPayload", new JsonObject().put("hello", "all")));
      assertThat(ep1.next("EndpointMessage").getString("from")).isEqualTo("ep3");
      assertThat(ep2.next("EndpointMessage").getString("from")).isEqualTo("ep3");
      // ep3 got neither its own broadcast nor ep1's private message.
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
      while (System.nanoTime() < until) {
        JsonObject m = ep3.received.poll(50, TimeUnit.MILLISECONDS);
        assertThat(m == null ? null : m.getString("colibriClass")).isNotEqualTo("EndpointMessage");
      }

      // Dominant speaker events from the media plane reach every endpoint.
      engine.conferences.get(meetingId).listener.dominantSpeakerChanged("ep2", List.of("ep1"));
      for (WsClient c : List.of(ep1, ep2, ep3)) {
        JsonObject event = c.next("DominantSpeakerEndpointChangeEvent");
        assertThat(event.getString("dominantSpeakerEndpoint")).isEqualTo("ep2");
        assertThat(event.getJsonArray("previousSpeakers")).isEqualTo(new JsonArray().add("ep1"));
        assertThat(event.getBoolean("silence")).isFalse();
      }
      // A channel that connects later hears the current speaker right after its greeting (JVB
      // does so on connect): otherwise it would wait for the next change, which may never come.
      try (WsClient late = new WsClient(http, url3)) {
        assertThat(late.next().getString("colibriClass")).isEqualTo("ServerHello");
        JsonObject event = late.next("DominantSpeakerEndpointChangeEvent");
        assertThat(event.getString("dominantSpeakerEndpoint")).isEqualTo("ep2");
        assertThat(event.getJsonArray("previousSpeakers")).isEqualTo(new JsonArray().add("ep1"));
      }

      // Garbage on the channel is ignored and the channel keeps working.
      ep1.send(new JsonObject().put("colibriClass", "NoSuchMessage"));
      ep1.send(new JsonObject().put("colibriClass", "EndpointMessage").put("to", "nobody"));
      ep1.send(
          new JsonObject()
              .put("colibriClass", "EndpointMessage")
              .put("to", "ep2")
              .put("msgPayload", "still here"));
      assertThat(ep2.next("EndpointMessage").getString("msgPayload")).isEqualTo("still here");

      // Expiring an endpoint over Colibri2 closes its channel.
      focus.request(request(bridgeJid, meetingId).addEndpoint(expireEndpoint("ep2")).build());
      assertThat(ep2.closed.get(5, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(bridge.stats().get("total_colibri_web_socket_messages_received")).isEqualTo(5L);
  }

  @Test
  void wrongPasswordUnknownEndpointAndWrongServerAreRejected() throws Exception {
    String meetingId = UUID.randomUUID().toString();
    String url = webSocketUrl(meetingId, "ep1", true);
    String wrongPwd = url.replaceAll("pwd=.*", "pwd=aaaaaaaaaaaaaaaaaaaaaaaa");
    String unknownEp = url.replace("/ep1?", "/ghost?");
    String wrongServer = url.replace("/default-id/", "/other-id/");
    String unknownMeeting = url.replace("/" + meetingId + "/", "/" + UUID.randomUUID() + "/");
    // JVB's answers: one 403 for every authentication failure, 404 only for another bridge's id
    assertThat(handshakeStatus(wrongPwd)).isEqualTo(403);
    assertThat(handshakeStatus(url.replaceAll("\\?pwd=.*", ""))).isEqualTo(403);
    assertThat(handshakeStatus(unknownEp)).isEqualTo(403);
    assertThat(handshakeStatus(unknownMeeting)).isEqualTo(403);
    assertThat(handshakeStatus(wrongServer)).isEqualTo(404);
    // The right password still works.
    try (WsClient ok = new WsClient(http, url)) {
      assertThat(ok.next().getString("colibriClass")).isEqualTo("ServerHello");
    }
  }

  private int handshakeStatus(String url) {
    try (WsClient c = new WsClient(http, url)) {
      throw new AssertionError("connected to " + url);
    } catch (Exception e) {
      Throwable t = e;
      while (t != null && !(t instanceof WebSocketHandshakeException)) {
        t = t.getCause();
      }
      assertThat(t).as(url).isInstanceOf(WebSocketHandshakeException.class);
      return ((WebSocketHandshakeException) t).getResponse().statusCode();
    }
  }

  static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 5 s");
      }
      Thread.sleep(20);
    }
  }
}
