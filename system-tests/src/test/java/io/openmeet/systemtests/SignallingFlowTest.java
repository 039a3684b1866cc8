package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openmeet.loadgen.SignallingClient;
import java.net.URI;
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
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The flow tests on a real lite-bridge in the room-api's brewery (in-process, on loopback), plus
 * the protocol's answers to bad input, which no bridge takes part in.
 */
class SignallingFlowTest extends BridgeFlowTest {

  @Override
  protected SystemBridge startBridge(String breweryJid) throws Exception {
    return LiteSystemBridge.start(breweryJid);
  }

  private URI socket(String slug) {
    return api.socket(slug);
  }

  private String token(String slug, String name) throws Exception {
    return rest.joinToken(slug, name, null);
  }

  @Test
  void bad_frames_get_typed_errors_and_leave_the_others_alone() throws Exception {
    String slug = createRoom("Bad", 12).path("slug").asText();
    String otherSlug = createRoom("Other", 12).path("slug").asText();
    try (Peer ada = join(slug, "Ada");
        SignallingClient x = SignallingClient.connect(http, socket(slug), WAIT)) {
      assertThat(error(x, "{\"type\":")).isEqualTo("malformed-json");
      assertThat(error(x, "{\"type\":\"teleport\"}")).isEqualTo("unknown-type");
      assertThat(error(x, "{\"type\":\"answer\",\"sdp\":\"v=0\"}")).isEqualTo("unexpected-message");
      assertThat(error(x, joinFrame("not.a.jwt"))).isEqualTo("invalid-token");
      var forgedKey = KeyPairGenerator.getInstance("RSA");
      forgedKey.initialize(2048);
      String forged = jwt(joinClaims(slug, 600), forgedKey.generateKeyPair().getPrivate());
      assertThat(error(x, joinFrame(forged))).isEqualTo("invalid-token");
      String expired = jwt(joinClaims(slug, -3600), devPrivateKey());
      assertThat(error(x, joinFrame(expired))).isEqualTo("invalid-token");
      String forOtherRoom = token(otherSlug, "Eve");
      assertThat(error(x, joinFrame(forOtherRoom))).isEqualTo("wrong-room");
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
      assertThat(error(c, joinFrame(issuedBefore))).isEqualTo("room-not-found");
    }
  }

  @Test
  void a_full_room_answers_room_full() throws Exception {
    String slug = createRoom("Small", 2).path("slug").asText();
    try (Peer a = join(slug, "A");
        Peer b = join(slug, "B");
        SignallingClient c = SignallingClient.connect(http, socket(slug), WAIT)) {
      assertThat(error(c, joinFrame(token(slug, "C")))).isEqualTo("room-full");
    }
  }

  private static String joinFrame(String token) {
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
