package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.litebridge.LiteBridge;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.loadgen.RoomApiClient;
import io.openmeet.loadgen.SdpExchange;
import io.openmeet.loadgen.SignallingClient;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged room-api with the real Prosody and a real lite-bridge, as an attacker meets it. What
 * no browser sends: control characters in the join frame's name, in a signed token's name, in chat
 * and in SDP candidate fields. Each gets a typed error, and a normal participant who joins right
 * after gets its offer: the focus's XMPP stream stayed up. (A control character in a Colibri2 IQ
 * makes Prosody close that stream as not-well-formed, and every join on the node fails with
 * no-bridge-available until Smack reconnects.) And the web app's page: security headers, no inline
 * script, not cached.
 */
class SecuritySystemTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * JSON string escapes of characters the text policy refuses (the first seven XML cannot carry).
   */
  private static final List<String> CONTROL =
      List.of(
          "\\u0007", "\\u0000", "\\u001b", "\\u000b", "\\uffff", "\\ufffe", "\\ud800", "\\u007f",
          "\\u0085", "\\u009f", "\\u202e", "\\u200b");

  private static RoomApiProcess api;
  private static LiteBridge bridge;
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
    bridge =
        new LiteBridge(config, new Ice4jMediaEngine(config.media()), Clock.systemUTC(), () -> 0.0)
            .start();
    rest = api.client(HttpClient.newHttpClient());
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.inOrder(bridge, api);
  }

  private static String room() throws Exception {
    return rest.createRoom("Hostile " + RoomApiProcess.random(""), "public", null, 100)
        .path("slug")
        .asText();
  }

  /** A normal participant joins and gets its offer: the focus can still reach the bridge. */
  private void aNormalJoinGetsItsOffer(String slug, String after) throws Exception {
    try (SignallingClient ok = SignallingClient.connect(http, api.socket(slug), WAIT)) {
      ok.send("type", "join", "token", rest.joinToken(slug, "Ada", null), "displayName", "Ada");
      SignallingClient.Frame f = ok.next(WAIT);
      assertThat(f.type()).as("after %s: %s", after, f.json()).isEqualTo("joined");
      assertThat(ok.await("offer", WAIT).json().path("sdp").asText())
          .as("after %s", after)
          .contains("a=fingerprint:");
      ok.send("type", "leave");
    }
  }

  @Test
  void a_join_with_each_control_character_leaves_the_focus_connected() throws Exception {
    String slug = room();
    // the focus has found the bridge (a first join waits for that)
    try (Peer first = new Peer(http, api, slug, "First")) {
      for (String c : CONTROL) {
        try (SignallingClient x = SignallingClient.connect(http, api.socket(slug), WAIT)) {
          String token = rest.joinToken(slug, "Mallory", null);
          x.send(
              "{\"type\":\"join\",\"token\":\""
                  + token
                  + "\",\"displayName\":\"Mal"
                  + c
                  + "lory\"}");
          JsonNode answer = x.next(WAIT).json();
          assertThat(answer.path("type").asText()).as(c + ": " + answer).isEqualTo("error");
          assertThat(answer.path("code").asText()).isEqualTo("invalid-text");
          // the same socket still works
          x.send("type", "ping", "ts", 1);
          assertThat(x.await("pong", WAIT).json().path("ts").asLong()).isEqualTo(1);
        }
        aNormalJoinGetsItsOffer(slug, c);
      }
      // chat is held to the same policy
      first.signalling.send("{\"type\":\"chat\",\"text\":\"hi\\u0007\"}");
      assertThat(first.signalling.await("error", WAIT).json().path("code").asText())
          .isEqualTo("invalid-text");
    }
  }

  @Test
  void a_signed_token_whose_name_has_a_control_character_cannot_join() throws Exception {
    String slug = room();
    try (Peer first = new Peer(http, api, slug, "First")) {
      for (String name : List.of("Mal\u0007lory", "Mal\uFFFFlory", "Mal\u202Elory")) {
        String token = jwt(joinClaims(slug, name));
        try (SignallingClient x = SignallingClient.connect(http, api.socket(slug), WAIT)) {
          x.send("{\"type\":\"join\",\"token\":\"" + token + "\"}");
          JsonNode answer = x.next(WAIT).json();
          assertThat(answer.path("code").asText()).as(answer.toString()).isEqualTo("invalid-text");
        }
        aNormalJoinGetsItsOffer(slug, "a signed " + name.replaceAll("\\p{C}", "?"));
      }
      assertThat(first.signalling.received().stream().map(SignallingClient.Frame::type))
          .doesNotContain("error");
    }
  }

  @Test
  void answers_whose_candidates_break_their_grammar_are_refused_and_the_focus_stays_up()
      throws Exception {
    String slug = room();
    try (SignallingClient x = Peer.join(http, api, slug, "Mallory")) {
      String offer = x.await("offer", WAIT).json().path("sdp").asText();
      var media =
          io.openmeet.testkit.SyntheticEndpoint.create(
              "mallory", io.openmeet.testkit.SyntheticEndpoint.Options.loopback());
      try {
        String answer = SdpExchange.answer(offer, media);
        String candidate =
            answer.lines().filter(l -> l.startsWith("a=candidate:")).findFirst().orElseThrow();
        List<String> poisoned =
            List.of(
                candidate.replace(" typ host", " typ srflx raddr 10.0.0.\u0007 rport 9"),
                candidate.replace(" typ host", " typ srflx raddr 1.2.3.4:\u001b rport 9"),
                candidate.replaceFirst(" (\\d+\\.\\d+\\.\\d+\\.\\d+) ", " 1::\uFFFF "),
                candidate.replace(" typ host", " typ host tcptype act\u0000ive"),
                candidate + " network-id \u0008");
        for (String bad : poisoned) {
          x.send("type", "answer", "sdp", answer.replace(candidate, bad));
          JsonNode error = x.await("error", WAIT).json();
          assertThat(error.path("code").asText()).as(error.toString()).isEqualTo("invalid-sdp");
          aNormalJoinGetsItsOffer(slug, "a poisoned answer");
        }
        // and the participant's own, proper answer still goes through
        int errors = (int) x.received().stream().filter(f -> f.type().equals("error")).count();
        x.send("type", "answer", "sdp", answer);
        x.send("type", "ping", "ts", 2);
        x.await("pong", WAIT);
        assertThat(x.received().stream().filter(f -> f.type().equals("error")).count())
            .isEqualTo(errors);
      } finally {
        media.close();
      }
      x.send("type", "leave");
    }
  }

  @Test
  void the_web_app_page_has_no_inline_script_is_not_cached_and_carries_the_security_headers()
      throws Exception {
    String slug = room();
    for (String path : List.of("/", "/" + slug, "/r/" + slug)) {
      var page =
          http.send(
              java.net.http.HttpRequest.newBuilder(api.baseUrl.resolve(path)).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      var headers = page.headers();
      assertThat(headers.firstValue("Content-Type").orElse("")).startsWith("text/html");
      assertThat(headers.firstValue("Cache-Control")).as(path).contains("no-cache");
      String csp = headers.firstValue("Content-Security-Policy").orElse("");
      assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'");
      assertThat(csp).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
      assertThat(headers.firstValue("X-Content-Type-Options")).contains("nosniff");
      assertThat(headers.firstValue("X-Frame-Options")).contains("DENY");
      assertThat(headers.firstValue("Referrer-Policy")).contains("no-referrer");
      // everything the page runs comes from files of this origin, which the policy allows
      String html = page.body();
      var scripts = java.util.regex.Pattern.compile("<script\\b([^>]*)>").matcher(html);
      int count = 0;
      while (scripts.find()) {
        count++;
        assertThat(scripts.group(1)).as("an inline script in " + path).contains("src=\"/");
      }
      assertThat(count).isPositive();
      assertThat(html).doesNotContain("<style").doesNotContain(" style=").doesNotContain("onload=");
    }
    // the hashed assets the page loads may be cached for long
    var index =
        http.send(
            java.net.http.HttpRequest.newBuilder(api.baseUrl.resolve("/")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    var asset =
        java.util.regex.Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(index.body());
    assertThat(asset.find()).isTrue();
    var js =
        http.send(
            java.net.http.HttpRequest.newBuilder(api.baseUrl.resolve(asset.group(1))).build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Cache-Control").orElse("")).doesNotContain("no-cache");
    assertThat(js.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
  }

  @Test
  void metrics_are_off_the_public_port_and_carry_no_slug_or_raw_path() throws Exception {
    String slug = room();
    String probe = RoomApiProcess.random("probe-");
    aNormalJoinGetsItsOffer(slug, "a join before the scrape");
    for (String path :
        List.of(
            "/" + slug,
            "/r/" + slug,
            "/api/rooms/" + slug,
            "/" + probe,
            "/assets/" + probe + ".js",
            "/api/" + probe,
            "/q/" + probe)) {
      for (String origin : List.of("", "https://evil.example")) {
        var request = java.net.http.HttpRequest.newBuilder(api.baseUrl.resolve(path));
        if (!origin.isEmpty()) {
          request.header("Origin", origin);
        }
        http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.discarding());
      }
    }
    var publicMetrics =
        http.send(
            java.net.http.HttpRequest.newBuilder(api.baseUrl.resolve("/q/metrics")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(publicMetrics.statusCode()).isEqualTo(404);
    assertThat(publicMetrics.body()).doesNotContain("http_server_requests");
    String text = rest.metrics();
    assertThat(text)
        .contains("http_server_requests_seconds_count")
        .contains("uri=\"/api/signalling/{room}\"")
        .doesNotContain(slug)
        .doesNotContain(probe);
  }

  private static Map<String, Object> joinClaims(String slug, String name) {
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = new HashMap<>();
    claims.put("iss", "openmeet");
    claims.put("aud", "openmeet");
    claims.put("sub", "meet.local");
    claims.put("iat", now - 60);
    claims.put("nbf", now - 60);
    claims.put("exp", now + 600);
    claims.put("room", slug);
    claims.put("moderator", false);
    claims.put("context", Map.of("user", Map.of("id", "guest-idp", "name", name)));
    return claims;
  }

  /** An RS256 JWT signed with the development key, as an identity provider would sign it. */
  static String jwt(Map<String, Object> claims) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header =
        b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = b64.encodeToString(JSON.writeValueAsBytes(claims));
    String pem = Files.readString(Path.of(RoomApiProcess.env("JWT_PRIVATE_KEY_FILE")));
    byte[] der =
        Base64.getDecoder()
            .decode(pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", ""));
    PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    Signature rsa = Signature.getInstance("SHA256withRSA");
    rsa.initSign(key);
    rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
    return header + "." + payload + "." + b64.encodeToString(rsa.sign());
  }
}
