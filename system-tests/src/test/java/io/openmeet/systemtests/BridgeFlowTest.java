package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.jvbtestkit.SkipLog;
import io.openmeet.loadgen.RoomApiClient;
import io.openmeet.testkit.SyntheticEndpoint;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The browser signalling protocol and the media path end to end, against one bridge: the packaged
 * room-api as its own process (with the real Postgres, Redis and Prosody), the bridge as the only
 * one in that room-api's brewery, and browser-like participants (a WebSocket client, a synthetic
 * ICE/DTLS/SRTP endpoint and, like the web app, the bridge channel). Run on lite-bridge ({@link
 * SignallingFlowTest}) and the stock Jitsi Videobridge ({@link JvbSignallingFlowTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BridgeFlowTest {

  protected static final Duration WAIT = Duration.ofSeconds(10);

  /** ICE + DTLS on a loaded 2-core machine can take seconds; a healthy run needs well under one. */
  protected static final Duration CONNECT = Duration.ofSeconds(30);

  protected static final ObjectMapper JSON = new ObjectMapper();
  protected RoomApiProcess api;
  protected SystemBridge bridge;
  protected RoomApiClient rest;
  protected final HttpClient http = HttpClient.newHttpClient();

  /** Starts the bridge under test in {@code breweryJid} (the room-api's brewery). */
  protected abstract SystemBridge startBridge(String breweryJid) throws Exception;

  @BeforeAll
  void start() throws Exception {
    api = RoomApiProcess.start();
    bridge = startBridge(api.breweryJid);
    rest = api.client(HttpClient.newHttpClient());
  }

  @AfterAll
  void stop() throws Exception {
    Closing.inOrder(bridge, api);
  }

  protected JsonNode createRoom(String name, int max) throws Exception {
    return rest.createRoom(name + " " + RoomApiProcess.random(""), "public", null, max);
  }

  /**
   * A participant whose media endpoint can reach this bridge (when anything can here) and that asks
   * for every video at 360p as soon as its bridge channel opens.
   */
  protected Peer join(String slug, String name) throws Exception {
    return new Peer(http, api, slug, name, mediaOptions(), Peer.RECEIVER_VIDEO_CONSTRAINTS);
  }

  /** Like {@link #join} but it opens its bridge channel without asking for any video. */
  private Peer joinAskingForNoVideo(String slug, String name) throws Exception {
    return new Peer(http, api, slug, name, mediaOptions(), null);
  }

  private SyntheticEndpoint.Options mediaOptions() {
    return bridge.mediaOptions().orElse(SyntheticEndpoint.Options.loopback());
  }

  /** Aborts a media test (visibly) where the bridge's media cannot be reached here. */
  private void assumeMedia() {
    if (bridge.mediaOptions().isEmpty()) {
      String line =
          bridge.kind()
              + " media skipped: "
              + getClass().getSimpleName()
              + ": "
              + bridge.noMediaReason();
      SkipLog.print(line);
      Assumptions.abort(line);
    }
  }

  /** Answers re-offers until each participant's last offer carries every other's sources. */
  private static void awaitEachOffered(List<Peer> peers) throws Exception {
    Eventually.within(
        WAIT,
        () -> {
          for (Peer p : peers) {
            p.answerReoffers();
          }
          for (Peer p : peers) {
            for (Peer other : peers) {
              if (p != other) {
                // the contract's source names: <endpoint id>-a0 and -v0, in each remote m-line's
                // msid
                assertThat(p.lastOffer())
                    .as(p.id + " is offered " + other.id)
                    .contains("a=msid:" + other.id + " " + other.id + "-a0")
                    .contains("a=msid:" + other.id + " " + other.id + "-v0")
                    .contains("a=ssrc:" + other.media.audioSsrc() + " ")
                    .contains("a=ssrc:" + other.media.videoSsrc() + " ");
              }
            }
          }
        });
  }

  @Test
  void three_participants_join_answer_and_leave() throws Exception {
    JsonNode room = createRoom("Flow", 12);
    String slug = room.path("slug").asText();
    String roomId = room.path("id").asText();
    String creatorToken = room.path("token").asText();
    String fingerprint = bridge.fingerprint();

    try (Peer ada = join(slug, "Ada");
        Peer bob = join(slug, "Bob");
        Peer cy = join(slug, "Cy")) {
      List<Peer> peers = List.of(ada, bob, cy);
      // every offer is built from the bridge's transport: its one certificate, its channel URL
      for (Peer p : peers) {
        assertThat(p.offers.get(0))
            .contains("a=fingerprint:sha-256 " + fingerprint)
            .contains("a=setup:actpass")
            .contains("a=group:BUNDLE");
        assertThat(p.bridgeChannelUrl())
            .matches("wss?://[^/]+/colibri-ws/[^/]+/[^/]+/" + p.id + "\\?pwd=\\w+");
      }
      // one endpoint per participant, named by the participant id
      Eventually.within(
          WAIT,
          () -> assertThat(bridge.endpoints()).containsExactlyInAnyOrder(ada.id, bob.id, cy.id));
      awaitEachOffered(peers);

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

      // Cy leaves: the others hear of it and are re-offered without Cy's sources; the bridge
      // drops Cy's endpoint
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
      Eventually.within(
          WAIT, () -> assertThat(bridge.endpoints()).containsExactlyInAnyOrder(ada.id, bob.id));
    }

    Eventually.within(
        WAIT, () -> assertThat(metric(rest.metrics(), "webrtc_active_connections")).isZero());

    // everyone is gone: the conference expires on the bridge and the call is recorded
    Eventually.within(Duration.ofSeconds(15), () -> assertThat(bridge.conferenceCount()).isZero());
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
  void media_flows_between_three_participants_who_ask_for_video() throws Exception {
    assumeMedia();
    String slug = createRoom("Media", 12).path("slug").asText();
    String fingerprint = bridge.fingerprint();
    // each asks for every video on its bridge channel as it joins, like the web app
    try (Peer ada = join(slug, "Ada");
        Peer bob = join(slug, "Bob");
        Peer cy = join(slug, "Cy")) {
      List<Peer> peers = List.of(ada, bob, cy);
      for (Peer p : peers) {
        // the DTLS handshake checks the bridge's certificate against the offer's fingerprint
        assertThat(p.media.awaitConnected(CONNECT))
            .as(p.id + " connected: " + p.media.failure())
            .isTrue();
        assertThat(p.offers.get(0)).contains("a=fingerprint:sha-256 " + fingerprint);
        p.bridgeChannel().await("ServerHello", WAIT);
      }
      awaitEachOffered(peers);

      Eventually.within(
          Duration.ofSeconds(20),
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
      // the bridge's active-speaker detection reads the audio levels and tells everyone
      Eventually.within(
          WAIT,
          () -> {
            for (Peer p : peers) {
              p.media.sendAudio(p == ada ? 10 : 127);
            }
            for (Peer p : peers) {
              assertThat(p.bridgeChannel().received())
                  .anySatisfy(
                      m ->
                          assertThat(m.path("colibriClass").asText())
                              .isEqualTo("DominantSpeakerEndpointChangeEvent"));
            }
          });
    }
  }

  /**
   * JVB's rule (and the contract's): a receiver gets no video before its first
   * ReceiverVideoConstraints, audio flows regardless; once it asks, the bridge forwards the video
   * and says so with ForwardedSources.
   */
  @Test
  void video_reaches_a_receiver_only_after_it_asks_for_it() throws Exception {
    assumeMedia();
    String slug = createRoom("Constraints", 12).path("slug").asText();
    try (Peer ada = joinAskingForNoVideo(slug, "Ada");
        Peer bob = joinAskingForNoVideo(slug, "Bob")) {
      List<Peer> peers = List.of(ada, bob);
      for (Peer p : peers) {
        assertThat(p.media.awaitConnected(CONNECT)).as(p.id + ": " + p.media.failure()).isTrue();
      }
      BridgeChannel channel = bob.bridgeChannel();
      BridgeChannel adas = ada.bridgeChannel();
      awaitEachOffered(peers);

      // Ada sends audio and keyframes; Bob, who has not asked for video, hears her only
      Eventually.within(
          Duration.ofSeconds(20),
          () -> {
            ada.media.sendAudio(30);
            ada.media.sendVideo(400, true);
            assertThat(bob.media.receivedCount(ada.media.audioSsrc())).isGreaterThan(20);
          });
      assertThat(bob.media.receivedCount(ada.media.videoSsrc()))
          .as("video before " + bob.id + " asked for it")
          .isZero();
      adas.await(
          "SenderSourceConstraints",
          m ->
              m.path("sourceName").asText().equals(ada.id + "-v0")
                  && m.path("maxHeight").asInt() == 0,
          WAIT);

      bob.askForVideo(constraintsFor(bob, peers));
      Eventually.within(
          Duration.ofSeconds(20),
          () -> {
            ada.media.sendAudio(30);
            ada.media.sendVideo(400, true);
            assertThat(bob.media.receivedCount(ada.media.videoSsrc())).isPositive();
          });
      // the bridge tells the receiver which videos it now forwards
      channel.await(
          "ForwardedSources",
          m -> m.path("forwardedSources").toString().contains("\"" + ada.id + "-v0\""),
          WAIT);
      // and tells the sender the largest height anyone now wants of its camera (0 before)
      adas.await(
          "SenderSourceConstraints",
          m ->
              m.path("sourceName").asText().equals(ada.id + "-v0")
                  && m.path("maxHeight").asInt() == 720,
          WAIT);
    }
  }

  /**
   * What the web app sends for a grid showing everyone else: nothing by default, 720p of each
   * visible camera, no lastN limit.
   */
  private static String constraintsFor(Peer receiver, List<Peer> peers) throws Exception {
    Map<String, Object> constraints = new LinkedHashMap<>();
    for (Peer p : peers) {
      if (p != receiver) {
        constraints.put(p.id + "-v0", Map.of("maxHeight", 720));
      }
    }
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("colibriClass", "ReceiverVideoConstraints");
    message.put("lastN", -1);
    message.put("defaultConstraints", Map.of("maxHeight", 0));
    message.put("constraints", constraints);
    return JSON.writeValueAsString(message);
  }

  @Test
  void an_ice_restart_gets_a_new_endpoint_on_the_bridge() throws Exception {
    String slug = createRoom("Restart", 12).path("slug").asText();
    try (Peer ada = join(slug, "Ada");
        Peer bob = join(slug, "Bob")) {
      awaitEachOffered(List.of(ada, bob));
      String oldChannel = bob.bridgeChannelUrl();
      String oldUfrag = Peer.ufrag(bob.lastOffer());

      JsonNode restarted = bob.restartIce();

      String newUfrag = Peer.ufrag(restarted.path("sdp").asText());
      assertThat(newUfrag).isNotEqualTo(oldUfrag);
      assertThat(bob.bridgeChannelUrl()).isNotEqualTo(oldChannel).contains("/" + bob.id + "?pwd=");
      // the same participant, a new endpoint of the same name: the old channel's password is void
      Eventually.within(
          WAIT, () -> assertThat(bridge.endpoints()).containsExactlyInAnyOrder(ada.id, bob.id));
      bob.bridgeChannel().await("ServerHello", WAIT); // the new endpoint's channel

      assertThat(opens(oldChannel)).as("the old endpoint's channel").isFalse();
      // Ada is still offered Bob's sources, on her unchanged transport
      awaitEachOffered(List.of(ada, bob));
      assertThat(Peer.ufrag(ada.lastOffer())).isEqualTo(Peer.ufrag(ada.offers.get(0)));

      if (bridge.mediaOptions().isPresent()) {
        assertThat(bob.media.awaitConnected(CONNECT))
            .as("after the restart: " + bob.media.failure())
            .isTrue();
        Eventually.within(
            Duration.ofSeconds(20),
            () -> {
              ada.media.sendAudio(30);
              assertThat(bob.media.receivedCount(ada.media.audioSsrc())).isPositive();
            });
      }
    }
  }

  private boolean opens(String url) {
    try (BridgeChannel channel = BridgeChannel.open(http, url, WAIT)) {
      channel.await("ServerHello", Duration.ofSeconds(2));
      return true;
    } catch (Exception refused) {
      return false;
    }
  }

  /** Sum of a metric's samples in Prometheus text (all label sets). */
  protected static double metric(String prometheusText, String name) {
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
}
