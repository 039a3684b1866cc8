package io.openmeet.roomapi.signalling;

import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.roomapi.support.Api;
import io.openmeet.roomapi.support.Metrics;
import io.openmeet.roomapi.support.SignallingSocket;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Resume tokens and the connection-attempt metric over real signalling WebSockets, through the real
 * focus, Postgres and Redis. Offers point at no bridge (the capacity benchmark's allocations), so
 * this needs no lite-bridge; the resume window is short so that expiry takes seconds.
 */
@QuarkusTest
@TestProfile(SignallingResumeTest.ShortWindow.class)
class SignallingResumeTest {

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  /** No bridge, a 3 s resume window swept every 100 ms. */
  public static class ShortWindow implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "openmeet.focus.capacity-benchmark-without-bridge", "true",
          "openmeet.signalling.resume-window", "3s",
          "openmeet.signalling.sweep-interval", "100ms");
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void a_resumed_participant_keeps_its_id_and_the_others_never_see_it_leave() throws Exception {
    String slug = Api.createPublicRoom().getString("slug");
    String adaToken = joinToken(slug, "Ada");
    var ada = SignallingSocket.open(slug);
    ada.send(join(adaToken, null));
    JsonNode joined = ada.await("joined");
    ada.await("offer");
    var bob = SignallingSocket.open(slug);
    bob.send(join(joinToken(slug, "Bob"), null));
    bob.await("joined");
    ada.await("participant-joined");

    ada.close(); // the network drops: no `leave`, no close handshake
    Thread.sleep(1000);
    var again = SignallingSocket.open(slug);
    again.send(join(adaToken, joined.get("resumeToken").asText()));

    JsonNode resumed = again.await("joined");
    assertThat(resumed.get("participantId").asText())
        .isEqualTo(joined.get("participantId").asText());
    assertThat(resumed.get("participants").findValuesAsText("displayName")).containsExactly("Bob");
    assertThat(resumed.get("resumeToken").asText())
        .isNotBlank()
        .isNotEqualTo(joined.get("resumeToken").asText());
    assertThat(again.await("offer").get("sdp").asText()).startsWith("v=0");

    // well past the window: still there, Bob never saw Ada leave, and chat reaches her
    Thread.sleep(3500);
    bob.send("{\"type\":\"chat\",\"text\":\"still here?\"}");
    assertThat(again.await("chat").get("text").asText()).isEqualTo("still here?");
    assertThat(bob.types()).doesNotContain("participant-left");
    again.close();
    bob.close();
  }

  @Test
  void after_the_window_the_others_see_the_participant_leave() throws Exception {
    String slug = Api.createPublicRoom().getString("slug");
    String adaToken = joinToken(slug, "Ada");
    var ada = SignallingSocket.open(slug);
    ada.send(join(adaToken, null));
    JsonNode joined = ada.await("joined");
    var bob = SignallingSocket.open(slug);
    bob.send(join(joinToken(slug, "Bob"), null));
    bob.await("joined");

    long dropped = System.nanoTime();
    ada.close();
    JsonNode left = bob.await("participant-left");
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dropped);
    assertThat(left.get("participantId").asText()).isEqualTo(joined.get("participantId").asText());
    assertThat(left.get("reason").asText()).isEqualTo("disconnected");
    assertThat(waitedMillis).isGreaterThanOrEqualTo(2500); // not at the drop: after the window

    var late = SignallingSocket.open(slug);
    late.send(join(adaToken, joined.get("resumeToken").asText()));
    assertThat(late.await("error").get("code").asText()).isEqualTo("invalid-token");
    late.close();
    bob.close();
  }

  @Test
  void a_bad_resume_token_is_a_typed_error_and_changes_nothing_for_the_others() throws Exception {
    String slug = Api.createPublicRoom().getString("slug");
    var bob = SignallingSocket.open(slug);
    bob.send(join(joinToken(slug, "Bob"), null));
    bob.await("joined");
    bob.await("offer"); // everything of Bob's own join has arrived
    int bobFrames = bob.frames.size();

    var mallory = SignallingSocket.open(slug);
    mallory.send(join(joinToken(slug, "Mallory"), "not-a-token-we-issued"));
    JsonNode error = mallory.await("error");
    assertThat(error.get("code").asText()).isEqualTo("invalid-token");
    assertThat(error.get("message").asText()).contains("resume token");
    assertThat(mallory.types()).doesNotContain("joined");
    // the socket is still open: joining without the resume token works
    mallory.send(join(joinToken(slug, "Mallory"), null));
    mallory.await("joined");

    // Bob hears of Mallory on his own socket, in no fixed order with her "joined": wait for it,
    // then give anything that should not come a moment to show
    bob.await("participant-joined");
    Thread.sleep(300);
    // only Mallory's real join, and the P2P session it starts (two in the room, P2P on by default)
    var after = bob.frames.subList(bobFrames, bob.frames.size());
    assertThat(after)
        .allMatch(f -> f.contains("\"participant-joined\"") || f.contains("\"p2p-start\""));
    assertThat(after).filteredOn(f -> f.contains("\"participant-joined\"")).hasSize(1);
    mallory.close();
    bob.close();
  }

  @Test
  void browser_reports_move_webrtc_connection_attempts_on_q_metrics() throws Exception {
    String slug = Api.createPublicRoom().getString("slug");
    double connected = metric("webrtc_connection_attempts_total{outcome=\"connected\"}");
    double failed = metric("webrtc_connection_attempts_total{outcome=\"failed\"}");

    var ada = SignallingSocket.open(slug);
    ada.send(join(joinToken(slug, "Ada"), null));
    ada.await("joined");
    ada.send(answerTo(ada.await("offer").get("sdp").asText()));
    ada.send("{\"type\":\"ice-state\",\"state\":\"connected\"}");
    ada.send("{\"type\":\"ping\",\"ts\":1}");
    ada.await("pong");
    assertThat(metric("webrtc_connection_attempts_total{outcome=\"connected\"}"))
        .isEqualTo(connected + 1);

    ada.send("{\"type\":\"ice-restart\"}");
    ada.send(answerTo(ada.awaitNth("offer", 2).get("sdp").asText()));
    ada.send("{\"type\":\"ice-state\",\"state\":\"failed\"}");
    ada.send("{\"type\":\"ping\",\"ts\":2}");
    ada.awaitNth("pong", 2);
    assertThat(ada.types()).doesNotContain("error");
    assertThat(metric("webrtc_connection_attempts_total{outcome=\"failed\"}"))
        .isEqualTo(failed + 1);
    assertThat(metric("webrtc_connection_attempts_total{outcome=\"connected\"}"))
        .isEqualTo(connected + 1);
    ada.send("{\"type\":\"leave\"}");
  }

  @Test
  void a_socket_closed_on_purpose_frees_its_seat_at_once() throws Exception {
    JsonNode room =
        JSON.readTree(
            Api.createRoom(Map.of("name", Api.uniqueName("Two seats"), "maxParticipants", 2))
                .prettify());
    String slug = room.get("slug").asText();
    var ada = SignallingSocket.open(slug);
    ada.send(join(joinToken(slug, "Ada"), null));
    ada.await("joined");
    var bob = SignallingSocket.open(slug);
    bob.send(join(joinToken(slug, "Bob"), null));
    bob.await("joined");

    // Ada's tab closes: close 1001, no `leave`; her seat is free now, not after the window
    ada.closeWith(1001, "going away");
    JsonNode left = bob.await("participant-left");
    assertThat(left.get("reason").asText()).isEqualTo("leave");
    var cy = SignallingSocket.open(slug);
    cy.send(join(joinToken(slug, "Cy"), null));
    cy.await("joined");
    bob.close();
    cy.close();
  }

  @Test
  void closing_the_room_ends_the_call_for_everyone_in_it() throws Exception {
    JsonNode room = JSON.readTree(Api.createPublicRoom().prettify());
    String slug = room.get("slug").asText();
    String adaToken = joinToken(slug, "Ada");
    var ada = SignallingSocket.open(slug);
    ada.send(join(adaToken, null));
    String adaId = ada.await("joined").get("participantId").asText();
    var bob = SignallingSocket.open(slug);
    bob.send(join(joinToken(slug, "Bob"), null));
    String bobId = bob.await("joined").get("participantId").asText();

    json(room.get("token").asText())
        .delete("/api/rooms/" + room.get("id").asText())
        .then()
        .statusCode(204);

    for (var c : List.of(ada, bob)) {
      JsonNode left = c.await("participant-left");
      assertThat(left.get("reason").asText()).isEqualTo("room-closed");
      assertThat(left.get("participantId").asText()).isIn(adaId, bobId);
      assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }
    // the room is gone for new joins too
    var late = SignallingSocket.open(slug);
    late.send(join(adaToken, null));
    assertThat(late.await("error").get("code").asText()).isIn("token-revoked", "room-not-found");
    late.close();
  }

  // --- helpers

  /** A series' value on /q/metrics; {@code series} is "name{label=\"value\"}". */
  private double metric(String series) {
    String name = series.substring(0, series.indexOf('{'));
    String label = series.substring(series.indexOf('{') + 1, series.length() - 1);
    String body = Metrics.text(metrics);
    for (String line : body.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(label)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
      }
    }
    throw new AssertionError(series + " is not on /q/metrics");
  }

  private static String joinToken(String slug, String name) {
    return json()
        .body(Map.of("displayName", name))
        .post("/api/rooms/" + slug + "/tokens")
        .then()
        .statusCode(200)
        .extract()
        .path("token");
  }

  private static String join(String token, String resumeToken) throws Exception {
    var frame = new java.util.LinkedHashMap<String, Object>();
    frame.put("type", "join");
    frame.put("token", token);
    if (resumeToken != null) {
      frame.put("resumeToken", resumeToken);
    }
    return JSON.writeValueAsString(frame);
  }

  /** The smallest answer the focus accepts: every m-line accepted, receive only, setup active. */
  private static String answerTo(String offer) throws Exception {
    List<String> out = new ArrayList<>(List.of("v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0"));
    for (String line : offer.split("\r\n")) {
      if (line.startsWith("m=")) {
        out.add(line);
        out.add("c=IN IP4 0.0.0.0");
        out.add("a=ice-ufrag:brws");
        out.add("a=ice-pwd:browserpassword0123456789");
        out.add(
            "a=fingerprint:sha-256 68:39:BA:EE:D9:E2:4E:73:A0:08:CD:7F:17:24:5F:1B:49:08:63:80:F9:86:CB:92:38:22:83:F2:22:F5:DD:43");
        out.add("a=setup:active");
        out.add("a=recvonly");
        out.add("a=rtcp-mux");
      } else if (line.startsWith("a=mid:") || line.startsWith("a=rtpmap:")) {
        out.add(line);
      }
    }
    return JSON.writeValueAsString(
        Map.of("type", "answer", "sdp", String.join("\r\n", out) + "\r\n"));
  }
}
