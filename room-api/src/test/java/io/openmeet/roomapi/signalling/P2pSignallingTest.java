package io.openmeet.roomapi.signalling;

import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.roomapi.support.Api;
import io.openmeet.roomapi.support.SignallingSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Peer-to-peer signalling over real sockets through the real focus: the room's {@code p2pEnabled}
 * setting, `p2p-start` at two, the relay of offer/answer/candidates between the pair only, typed
 * errors for frames from outside the session or with malformed SDP, `p2p-stop` when a third joins
 * and a new session when it leaves. The offers point at no bridge (same profile as {@link
 * SignallingResumeTest}).
 */
@QuarkusTest
@TestProfile(SignallingResumeTest.ShortWindow.class)
class P2pSignallingTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CANDIDATE =
      "candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host generation 0";

  private static String room(Boolean p2p) {
    var body = new LinkedHashMap<String, Object>();
    body.put("name", Api.uniqueName("P2P"));
    if (p2p != null) {
      body.put("p2pEnabled", p2p);
    }
    return json().body(body).post("/api/rooms").then().statusCode(201).extract().path("slug");
  }

  private static String token(String slug, String name) {
    return json()
        .body(Map.of("displayName", name))
        .post("/api/rooms/" + slug + "/tokens")
        .then()
        .statusCode(200)
        .extract()
        .path("token");
  }

  private static String frame(Object... kv) throws Exception {
    var m = new LinkedHashMap<String, Object>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return JSON.writeValueAsString(m);
  }

  private record In(SignallingSocket socket, String id) {}

  private static In join(String slug, String name) throws Exception {
    var socket = SignallingSocket.open(slug);
    socket.send(frame("type", "join", "token", token(slug, name)));
    String id = socket.await("joined").get("participantId").asText();
    socket.await("offer");
    return new In(socket, id);
  }

  /** A browser-like session description (the shape the focus checks answers against). */
  private static String sdp(String ufrag) {
    return sdp(ufrag, ufrag.equals("rrrr") ? "active" : "actpass");
  }

  private static String sdp(String ufrag, String setup) {
    List<String> out = new ArrayList<>(List.of("v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0"));
    out.add("m=audio 9 UDP/TLS/RTP/SAVPF 111");
    out.add("c=IN IP4 0.0.0.0");
    out.add("a=mid:0");
    out.add("a=ice-ufrag:" + ufrag);
    out.add("a=ice-pwd:browserpassword0123456789");
    out.add(
        "a=fingerprint:sha-256 68:39:BA:EE:D9:E2:4E:73:A0:08:CD:7F:17:24:5F:1B:49:08:63:80:F9:86:CB:92:38:22:83:F2:22:F5:DD:43");
    out.add("a=setup:" + setup);
    out.add("a=sendrecv");
    out.add("a=rtcp-mux");
    out.add("a=rtpmap:111 opus/48000/2");
    return String.join("\r\n", out) + "\r\n";
  }

  @Test
  void the_pair_relays_only_to_each_other_and_moves_to_the_bridge_when_a_third_joins()
      throws Exception {
    String slug = room(true);
    assertThat(json().get("/api/rooms/" + slug).then().extract().<Boolean>path("p2pEnabled"))
        .isTrue();
    try (var closer = new Closer()) {
      In ada = closer.add(join(slug, "Ada"));
      In bob = closer.add(join(slug, "Bob"));
      JsonNode adaStart = ada.socket.await("p2p-start");
      JsonNode bobStart = bob.socket.await("p2p-start");
      String session = adaStart.get("sessionId").asText();
      assertThat(bobStart.get("sessionId").asText()).isEqualTo(session);
      assertThat(adaStart.get("peerId").asText()).isEqualTo(bob.id);
      assertThat(adaStart.get("initiator").asBoolean())
          .isEqualTo(ada.id.compareTo(bob.id) < 0)
          .isNotEqualTo(bobStart.get("initiator").asBoolean());
      In initiator = adaStart.get("initiator").asBoolean() ? ada : bob;
      In responder = initiator == ada ? bob : ada;

      // malformed SDP and wrong roles: typed errors, nothing relayed
      initiator.socket.send(frame("type", "p2p-offer", "sessionId", session, "sdp", "v=0\r\nx"));
      assertThat(initiator.socket.await("error").get("code").asText()).isEqualTo("invalid-sdp");
      responder.socket.send(frame("type", "p2p-offer", "sessionId", session, "sdp", sdp("rrrr")));
      assertThat(responder.socket.await("error").get("code").asText())
          .isEqualTo("unexpected-message");
      initiator.socket.send(
          frame("type", "p2p-candidate", "sessionId", session, "candidate", "not a candidate"));
      assertThat(initiator.socket.awaitNth("error", 2).get("code").asText())
          .isEqualTo("invalid-sdp");

      initiator.socket.send(frame("type", "p2p-offer", "sessionId", session, "sdp", sdp("iiii")));
      JsonNode offer = responder.socket.await("p2p-offer");
      assertThat(offer.get("from").asText()).isEqualTo(initiator.id);
      assertThat(offer.get("sdp").asText()).isEqualTo(sdp("iiii"));
      responder.socket.send(frame("type", "p2p-answer", "sessionId", session, "sdp", sdp("rrrr")));
      assertThat(initiator.socket.await("p2p-answer").get("sdp").asText()).isEqualTo(sdp("rrrr"));
      initiator.socket.send(
          frame(
              "type",
              "p2p-candidate",
              "sessionId",
              session,
              "candidate",
              CANDIDATE,
              "sdpMid",
              "0"));
      JsonNode candidate = responder.socket.await("p2p-candidate");
      assertThat(candidate.get("candidate").asText()).isEqualTo(CANDIDATE);
      assertThat(candidate.get("from").asText()).isEqualTo(initiator.id);

      In cyd = closer.add(join(slug, "Cyd"));
      assertThat(ada.socket.await("p2p-stop").get("reason").asText()).isEqualTo("participants");
      bob.socket.await("p2p-stop");
      // the third is in no session: its frames are refused and reach nobody
      cyd.socket.send(frame("type", "p2p-offer", "sessionId", session, "sdp", sdp("cccc")));
      assertThat(cyd.socket.await("error").get("code").asText()).isEqualTo("no-p2p-session");
      cyd.socket.send(frame("type", "p2p-candidate", "sessionId", session, "candidate", CANDIDATE));
      assertThat(cyd.socket.awaitNth("error", 2).get("code").asText()).isEqualTo("no-p2p-session");
      cyd.socket.send(frame("type", "p2p-state", "sessionId", session, "state", "connected"));
      assertThat(cyd.socket.awaitNth("error", 3).get("code").asText()).isEqualTo("no-p2p-session");
      assertThat(cyd.socket.types()).doesNotContain("p2p-start", "p2p-offer", "p2p-candidate");

      cyd.socket.send(frame("type", "leave"));
      JsonNode again = ada.socket.awaitNth("p2p-start", 2);
      assertThat(again.get("sessionId").asText()).isNotEqualTo(session);
      assertThat(bob.socket.awaitNth("p2p-start", 2).get("sessionId").asText())
          .isEqualTo(again.get("sessionId").asText());
      // exactly one offer and one candidate were relayed, to the responder only
      assertThat(count(responder.socket, "p2p-offer")).isEqualTo(1);
      assertThat(count(initiator.socket, "p2p-offer")).isZero();
      assertThat(count(responder.socket, "p2p-candidate")).isEqualTo(1);
      assertThat(count(initiator.socket, "p2p-candidate")).isZero();
    }
  }

  @Test
  void a_room_without_p2p_never_starts_a_session() {
    String slug = room(false);
    assertThat(json().get("/api/rooms/" + slug).then().extract().<Boolean>path("p2pEnabled"))
        .isFalse();
    try (var closer = new Closer()) {
      In ada = closer.add(join(slug, "Ada"));
      In bob = closer.add(join(slug, "Bob"));
      bob.socket.send(frame("type", "ping"));
      bob.socket.await("pong");
      ada.socket.send(frame("type", "ping"));
      ada.socket.await("pong");
      assertThat(ada.socket.types()).doesNotContain("p2p-start");
      assertThat(bob.socket.types()).doesNotContain("p2p-start");
      ada.socket.send(frame("type", "p2p-state", "sessionId", "x", "state", "failed"));
      assertThat(ada.socket.await("error").get("code").asText()).isEqualTo("no-p2p-session");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long count(SignallingSocket s, String type) {
    return s.types().stream().filter(type::equals).count();
  }

  /** Closes the sockets it was given. */
  private static final class Closer implements AutoCloseable {
    private final List<SignallingSocket> sockets = new ArrayList<>();

    In add(In in) {
      sockets.add(in.socket);
      return in;
    }

    @Override
    public void close() {
      sockets.forEach(SignallingSocket::close);
    }
  }
}
