package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openmeet.litebridge.LiteBridge;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.loadgen.RoomApiClient;
import io.openmeet.loadgen.SignallingClient;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two room-api processes of one deployment (two nodes: own ports, own node ids, the same Redis,
 * Prosody brewery and Postgres) and one real lite-bridge. A participant's socket on each node: the
 * second join lands on the node that does not own the room and is relayed to the owner, so both end
 * up in one conference and each is offered the other's sources. The two nodes' link runs with
 * mutual TLS (a PKCS#12 key store the test makes with keytool, shared by both); the other
 * multi-node tests keep the default plain link.
 */
class CrossNodeSignallingTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  /** ICE + DTLS on a loaded 2-core machine can take seconds; a healthy run needs well under one. */
  private static final Duration CONNECT = Duration.ofSeconds(30);

  private static RoomApiProcess node1;
  private static RoomApiProcess node2;
  private static LiteBridge bridge;
  private static Ice4jMediaEngine engine;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> tls = nodeLinkTls();
    node1 = RoomApiProcess.start(RoomApiProcess.random("it-"), RoomApiProcess.freePort(), tls);
    node2 = RoomApiProcess.start(node1.run, RoomApiProcess.freePort(), tls);
    for (RoomApiProcess node : List.of(node1, node2)) {
      assertThat(Files.readString(node.log())).contains("(mutual TLS)");
    }
    Map<String, Object> o = new HashMap<>();
    String x = "lite-bridge.apis.xmpp-client.";
    o.put(x + "configs.test.muc_jids", node1.breweryJid);
    o.put(x + "configs.test.muc_nickname", RoomApiProcess.random("bridge-"));
    o.put(x + "presence-interval", "1 second");
    o.put("lite-bridge.http-servers.private.host", "127.0.0.1");
    o.put("lite-bridge.http-servers.private.port", 0);
    o.put("lite-bridge.ice.udp.port", 0);
    o.put("lite-bridge.ice.bind-addresses", List.of("127.0.0.1"));
    BridgeConfig config = BridgeConfig.load(o);
    engine = new Ice4jMediaEngine(config.media());
    bridge = new LiteBridge(config, engine, Clock.systemUTC(), () -> 0.0).start();
  }

  /** One self-signed key store for the deployment, in the environment both nodes get. */
  private static Map<String, String> nodeLinkTls() throws Exception {
    Path store = Files.createTempDirectory("node-link-tls").resolve("node-link.p12");
    String password = RoomApiProcess.random("pw-");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    String arguments =
        "-genkeypair -alias node-link -keyalg EC -validity 2 -storetype PKCS12 -keystore "
            + store
            + " -storepass "
            + password
            + " -keypass "
            + password;
    List<String> command = new ArrayList<>(List.of(keytool, "-dname", "CN=openmeet system test"));
    command.addAll(List.of(arguments.split(" ")));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(output).isZero();
    return Map.of(
        "OPENMEET_FOCUS_NODE_LINK_TLS_KEY_STORE",
        store.toString(),
        "OPENMEET_FOCUS_NODE_LINK_TLS_KEY_STORE_PASSWORD",
        password);
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.inOrder(bridge, node2, node1);
  }

  @Test
  void participants_on_two_nodes_meet_in_one_conference() throws Exception {
    JsonNode room =
        new RoomApiClient(http, node1.baseUrl)
            .createRoom("Two nodes " + RoomApiProcess.random(""), "public", null, 12);
    String slug = room.path("slug").asText();
    // the other test's conference, if it ran first, is gone
    Eventually.within(
        Duration.ofSeconds(20), () -> assertThat(bridge.conferences().all()).isEmpty());

    // Ada's join makes node 1 the room's owner; Bob's socket is on node 2
    try (Peer ada = new Peer(http, node1, slug, "Ada");
        Peer bob = new Peer(http, node2, slug, "Bob")) {
      JsonNode bobJoined = bob.joinedFrame();
      assertThat(bobJoined.path("participants").findValuesAsText("participantId"))
          .containsExactly(ada.id);
      assertThat(ada.signalling.await("participant-joined", WAIT).json().toString())
          .contains(bob.id);
      // Bob's socket is on node 2, his participant on node 1 (the relay's gauges on each node)
      Eventually.within(
          WAIT,
          () -> {
            assertThat(node2.relayedParticipants(http, "socket")).isEqualTo(1.0);
            assertThat(node1.relayedParticipants(http, "owner")).isEqualTo(1.0);
            assertThat(node1.relayedParticipants(http, "socket")).isZero();
            assertThat(node2.relayedParticipants(http, "owner")).isZero();
          });
      // both offers come from the one conference on the one bridge
      assertThat(bob.offers.get(0))
          .contains("a=fingerprint:sha-256 " + engine.localFingerprint().value());
      assertThat(bridge.conferences().all()).hasSize(1);

      // each is offered the other's sources (answered re-offers until things settle)
      Eventually.within(
          WAIT,
          () -> {
            ada.answerReoffers();
            bob.answerReoffers();
            assertThat(ada.lastOffer())
                .contains("a=ssrc:" + bob.media.audioSsrc() + " ")
                .contains("a=ssrc:" + bob.media.videoSsrc() + " ");
            assertThat(bob.lastOffer())
                .contains("a=ssrc:" + ada.media.audioSsrc() + " ")
                .contains("a=ssrc:" + ada.media.videoSsrc() + " ");
          });

      // and media flows both ways through the bridge
      assertThat(ada.media.awaitConnected(CONNECT)).as("Ada connected").isTrue();
      assertThat(bob.media.awaitConnected(CONNECT)).as("Bob connected").isTrue();
      Eventually.within(
          WAIT,
          () -> {
            ada.media.sendAudio(30);
            bob.media.sendAudio(30);
            assertThat(ada.media.receivedCount(bob.media.audioSsrc())).isPositive();
            assertThat(bob.media.receivedCount(ada.media.audioSsrc())).isPositive();
          });

      // chat crosses the nodes both ways
      bob.signalling.send("type", "chat", "text", "hello from node 2");
      assertThat(ada.signalling.await("chat", WAIT).json().path("text").asText())
          .isEqualTo("hello from node 2");
      ada.signalling.send("type", "chat", "text", "hello from node 1");
      Eventually.within(
          WAIT,
          () ->
              assertThat(
                      bob.signalling.received().stream()
                          .filter(f -> f.type().equals("chat"))
                          .map(f -> f.json().path("text").asText()))
                  .contains("hello from node 1"));

      // Bob leaves on node 2; the owner removes him and Ada hears of it
      bob.signalling.send("type", "leave");
      var left = ada.signalling.await("participant-left", WAIT).json();
      assertThat(left.path("participantId").asText()).isEqualTo(bob.id);
      Eventually.within(WAIT, () -> assertThat(node1.relayedParticipants(http, "owner")).isZero());
      assertThat(node2.relayedParticipants(http, "socket")).isZero();
      ada.signalling.send("type", "leave");
    }
    // the last leave ends the conference on the bridge
    Eventually.within(
        Duration.ofSeconds(15), () -> assertThat(bridge.conferences().all()).isEmpty());
  }

  @Test
  void a_full_room_refuses_a_join_on_the_other_node_as_room_full() throws Exception {
    JsonNode room =
        new RoomApiClient(http, node1.baseUrl)
            .createRoom("Small " + RoomApiProcess.random(""), "public", null, 2);
    String slug = room.path("slug").asText();
    try (Peer ada = new Peer(http, node1, slug, "Ada");
        Peer bob = new Peer(http, node2, slug, "Bob");
        SignallingClient late = SignallingClient.connect(http, node2.socket(slug), WAIT)) {
      // the owner (node 1) refuses the relayed join; node 2 answers with the same typed error
      String token = new RoomApiClient(http, node2.baseUrl).joinToken(slug, "Cy", null);
      late.send("type", "join", "token", token, "displayName", "Cy");
      assertThat(late.await("error", WAIT).json().path("code").asText()).isEqualTo("room-full");
      ada.signalling.send("type", "leave");
      bob.signalling.send("type", "leave");
    }
  }
}
