package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.litebridge.LiteBridge;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.loadgen.RoomApiClient;
import io.openmeet.loadgen.SignallingClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The browser signalling protocol end to end: the packaged room-api as its own process (with the
 * real Postgres, Redis and Prosody), a real lite-bridge in that room-api's brewery, and
 * browser-like clients (a WebSocket client plus a synthetic ICE/DTLS/SRTP endpoint) that join,
 * answer, exchange RTP and leave.
 */
class SignallingFlowTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** ICE + DTLS on a loaded 2-core machine can take seconds; a healthy run needs well under one. */
  private static final Duration CONNECT = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static RoomApiProcess api;
  private static LiteBridge bridge;
  private static Ice4jMediaEngine engine;
  private static RoomApiClient rest;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    api = RoomApiProcess.start();
    Map<String, Object> o = new HashMap<>();
    String x = "lite-bridge.apis.xmpp-client.";
    o.put(x + "configs.test.muc_jids", api.breweryJid);
    o.put(x + "configs.test.muc_nickname", RoomApiProcess.random("bridge-"));
    o.put(x + "presence-interval", "1 second");
    o.put("lite-bridge.http-servers.private.host", "127.0.0.1");
    o.put("lite-bridge.http-servers.private.port", 0);
    o.put("lite-bridge.ice.udp.port", 0);
    o.put("lite-bridge.ice.bind-addresses", List.of("127.0.0.1"));
    BridgeConfig config = BridgeConfig.load(o);
    engine = new Ice4jMediaEngine(config.media());
    bridge = new LiteBridge(config, engine, Clock.systemUTC(), () -> 0.0).start();
    rest = new RoomApiClient(HttpClient.newHttpClient(), api.baseUrl);
  }

  @AfterAll
  static void stop() throws Exception {
    if (bridge != null) {
      bridge.close();
    }
    if (api != null) {
      api.close();
    }
  }

  private URI socket(String slug) {
    return api.socket(slug);
  }

  private static String token(String slug, String name) throws Exception {
    return rest.joinToken(slug, name, null);
  }

  private static JsonNode createRoom(String name, int max) throws Exception {
    return rest.createRoom(name + " " + RoomApiProcess.random(""), "public", null, max);
  }

  @Test
  void three_participants_join_exchange_media_and_leave() throws Exception {
    JsonNode room = createRoom("Flow", 12);
    String slug = room.path("slug").asText();
    String roomId = room.path("id").asText();
    String creatorToken = room.path("token").asText();

    try (Peer ada = new Peer(http, api, slug, "Ada");
        Peer bob = new Peer(http, api, slug, "Bob");
        Peer cy = new Peer(http, api, slug, "Cy")) {
      List<Peer> peers = List.of(ada, bob, cy);
      // every offer carries the bridge's ICE credentials and its one certificate
      for (Peer p : peers) {
        assertThat(p.offers.get(0))
            .contains("a=fingerprint:sha-256 " + engine.localFingerprint().value())
            .contains("a=setup:actpass")
            .contains("a=group:BUNDLE");
        assertThat(p.media.awaitConnected(CONNECT))
            .as(p.id + " connected: " + p.media.failure())
            .isTrue();
      }
      // re-offers carry the others' sources; answer them until things settle
      Eventually.within(
          WAIT,
          () -> {
            for (Peer p : peers) {
              p.answerReoffers();
            }
            assertThat(ada.lastOffer()).contains("a=ssrc:" + bob.media.videoSsrc() + " ");
            assertThat(ada.lastOffer()).contains("a=ssrc:" + cy.media.audioSsrc() + " ");
            assertThat(cy.lastOffer()).contains("a=ssrc:" + ada.media.audioSsrc() + " ");
          });

      // media: everyone receives everyone else's audio and video
      Eventually.within(
          WAIT,
          () -> {
            for (Peer p : peers) {
              p.media.sendAudio(30);
              p.media.sendVideo(400, true);
            }
            for (Peer receiver : peers) {
              for (Peer sender : peers) {
                if (receiver != sender) {
                  assertThat(receiver.media.receivedCount(sender.media.audioSsrc()))
                      .as(receiver.id + " hears " + sender.id)
                      .isPositive();
                  assertThat(receiver.media.receivedCount(sender.media.videoSsrc()))
                      .as(receiver.id + " sees " + sender.id)
                      .isPositive();
                }
              }
            }
          });

      // the node's metrics follow the joins (names the Helm chart's dashboards use)
      String metrics = rest.metrics();
      assertThat(metric(metrics, "webrtc_active_connections")).isEqualTo(3.0);
      assertThat(metric(metrics, "room_active_count")).isGreaterThanOrEqualTo(1.0);
      assertThat(metric(metrics, "signaling_latency_ms_count")).isGreaterThanOrEqualTo(3.0);

      // chat and media-state reach the others
      ada.signalling.send("type", "chat", "text", "hello");
      assertThat(bob.signalling.await("chat", WAIT).json().path("text").asText())
          .isEqualTo("hello");
      bob.signalling.send("type", "media-state", "audio", false, "video", true, "screen", false);
      var state = cy.signalling.await("media-state", WAIT).json();
      assertThat(state.path("participantId").asText()).isEqualTo(bob.id);
      assertThat(state.path("audio").asBoolean()).isFalse();

      // Cy leaves: the others hear of it and are re-offered without Cy's sources
      cy.signalling.send("type", "leave");
      var left = ada.signalling.await("participant-left", WAIT).json();
      assertThat(left.path("participantId").asText()).isEqualTo(cy.id);
      Eventually.within(
          WAIT,
          () -> {
            ada.answerReoffers();
            bob.answerReoffers();
            assertThat(ada.lastOffer()).doesNotContain("a=ssrc:" + cy.media.audioSsrc() + " ");
          });
    }

    Eventually.within(
        WAIT, () -> assertThat(metric(rest.metrics(), "webrtc_active_connections")).isZero());

    // everyone is gone: the conference expires on the bridge and the call is recorded
    Eventually.within(
        Duration.ofSeconds(15), () -> assertThat(bridge.conferences().all()).isEmpty());
    Eventually.within(
        Duration.ofSeconds(15),
        () -> {
          var response =
              http.send(
                  HttpRequest.newBuilder(api.baseUrl.resolve("/api/rooms/" + roomId + "/calls"))
                      .header("Authorization", "Bearer " + creatorToken)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).isEqualTo(200);
          JsonNode calls = JSON.readTree(response.body()).path("items");
          assertThat(calls).hasSize(1);
          assertThat(calls.get(0).path("endedAt").isNull()).isFalse();
          assertThat(calls.get(0).path("totalParticipants").asInt()).isEqualTo(3);
          assertThat(calls.get(0).path("peakParticipants").asInt()).isEqualTo(3);
        });
  }

  @Test
  void bad_frames_get_typed_errors_and_leave_the_others_alone() throws Exception {
    String slug = createRoom("Bad", 12).path("slug").asText();
    String otherSlug = createRoom("Other", 12).path("slug").asText();
    try (Peer ada = new Peer(http, api, slug, "Ada");
        SignallingClient x = SignallingClient.connect(http, socket(slug), WAIT)) {
      assertThat(error(x, "{\"type\":")).isEqualTo("malformed-json");
      assertThat(error(x, "{\"type\":\"teleport\"}")).isEqualTo("unknown-type");
      assertThat(error(x, "{\"type\":\"answer\",\"sdp\":\"v=0\"}")).isEqualTo("unexpected-message");
      assertThat(error(x, join("not.a.jwt"))).isEqualTo("invalid-token");
      var forgedKey = KeyPairGenerator.getInstance("RSA");
      forgedKey.initialize(2048);
      String forged = jwt(joinClaims(slug, 600), forgedKey.generateKeyPair().getPrivate());
      assertThat(error(x, join(forged))).isEqualTo("invalid-token");
      String expired = jwt(joinClaims(slug, -3600), devPrivateKey());
      assertThat(error(x, join(expired))).isEqualTo("invalid-token");
      String forOtherRoom = token(otherSlug, "Eve");
      assertThat(error(x, join(forOtherRoom))).isEqualTo("wrong-room");
      // the socket is still open, and Ada noticed nothing
      x.send("type", "ping", "ts", 7);
      assertThat(x.await("pong", WAIT).json().path("ts").asLong()).isEqualTo(7);
      // an oversized frame is answered and then closes the socket (1009, docs/API.md)
      assertThat(error(x, "{\"type\":\"chat\",\"text\":\"" + "x".repeat(70_000) + "\"}"))
          .isEqualTo("frame-too-large");
      assertThat(x.closed().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo(1009);
      assertThat(ada.signalling.received())
          .extracting(SignallingClient.Frame::type)
          .containsOnly("joined", "offer");
    }
  }

  @Test
  void a_closed_room_refuses_a_join_token_issued_before_it_closed() throws Exception {
    JsonNode room = createRoom("Closing", 12);
    String slug = room.path("slug").asText();
    String issuedBefore = token(slug, "Late");
    var closed =
        http.send(
            HttpRequest.newBuilder(api.baseUrl.resolve("/api/rooms/" + room.path("id").asText()))
                .header("Authorization", "Bearer " + room.path("token").asText())
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(closed.statusCode()).isEqualTo(204);
    try (SignallingClient c = SignallingClient.connect(http, socket(slug), WAIT)) {
      assertThat(error(c, join(issuedBefore))).isEqualTo("room-not-found");
    }
  }

  @Test
  void a_full_room_answers_room_full() throws Exception {
    String slug = createRoom("Small", 2).path("slug").asText();
    try (Peer a = new Peer(http, api, slug, "A");
        Peer b = new Peer(http, api, slug, "B");
        SignallingClient c = SignallingClient.connect(http, socket(slug), WAIT)) {
      assertThat(error(c, join(token(slug, "C")))).isEqualTo("room-full");
    }
  }

  /** Sum of a metric's samples in Prometheus text (all label sets). */
  private static double metric(String prometheusText, String name) {
    double sum = 0;
    boolean found = false;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    assertThat(found).as("metric " + name + " is exported").isTrue();
    return sum;
  }

  private static String join(String token) {
    return "{\"type\":\"join\",\"token\":\"" + token + "\",\"displayName\":\"X\"}";
  }

  /**
   * Claims of a join token for the room, expiring {@code ttlSeconds} from now (negative: expired).
   */
  private static Map<String, Object> joinClaims(String slug, long ttlSeconds) {
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = new HashMap<>();
    claims.put("iss", "openmeet");
    claims.put("aud", "openmeet");
    claims.put("sub", "meet.local");
    claims.put("iat", now - Math.max(0, -ttlSeconds) - 60);
    claims.put("nbf", now - Math.max(0, -ttlSeconds) - 60);
    claims.put("exp", now + ttlSeconds);
    claims.put("room", slug);
    claims.put("moderator", false);
    claims.put("context", Map.of("user", Map.of("id", "guest-x", "name", "X")));
    return claims;
  }

  /** An RS256 JWT, signed with the given key. */
  private static String jwt(Map<String, Object> claims, PrivateKey key) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header =
        b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = b64.encodeToString(JSON.writeValueAsBytes(claims));
    Signature rsa = Signature.getInstance("SHA256withRSA");
    rsa.initSign(key);
    rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
    return header + "." + payload + "." + b64.encodeToString(rsa.sign());
  }

  private static PrivateKey devPrivateKey() throws Exception {
    String pem = Files.readString(Path.of(RoomApiProcess.env("JWT_PRIVATE_KEY_FILE")));
    byte[] der =
        Base64.getDecoder()
            .decode(pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", ""));
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  private static String error(SignallingClient client, String frame)
      throws InterruptedException, TimeoutException {
    client.send(frame);
    return client.await("error", WAIT).json().path("code").asText();
  }
}
