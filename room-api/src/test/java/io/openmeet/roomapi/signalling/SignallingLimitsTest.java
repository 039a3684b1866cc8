package io.openmeet.roomapi.signalling;

import static io.openmeet.roomapi.support.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.roomapi.support.Api;
import io.openmeet.roomapi.support.Metrics;
import io.openmeet.roomapi.support.RawWebSocket;
import io.openmeet.roomapi.support.RawWebSocket.Frame;
import io.openmeet.roomapi.support.SignallingSocket;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The signalling socket's limits over real sockets (raw frames where a browser could not send
 * them): per-address cap, join timeout, message size, UTF-8, no compression, and human text in
 * `join` and `chat`. Offers point at no bridge (the capacity benchmark's allocations).
 */
@QuarkusTest
@TestProfile(SignallingLimitsTest.Limits.class)
class SignallingLimitsTest {

  @TestHTTPResource(value = "metrics", management = true)
  URL metrics;

  /** No bridge; a 2 s join timeout swept every 100 ms (the other limits keep their defaults). */
  public static class Limits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "openmeet.focus.capacity-benchmark-without-bridge", "true",
          "openmeet.signalling.join-timeout", "2s",
          "openmeet.signalling.sweep-interval", "100ms");
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int MAX_BYTES = 65536; // openmeet.signalling.max-frame-bytes default

  private static URI socketUri(String slug) {
    return URI.create("ws://127.0.0.1:" + RestAssured.port + "/api/signalling/" + slug);
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

  // --- per-address cap

  @Test
  void one_address_gets_twenty_sockets_of_a_hundred_and_fifty_and_the_rest_a_clear_close()
      throws Exception {
    String slug =
        Api.createRoom(Map.of("name", Api.uniqueName("Cap"), "maxParticipants", 100))
            .getString("slug");
    String join = JSON.writeValueAsString(Map.of("type", "join", "token", joinToken(slug, "Ada")));
    HttpClient http = HttpClient.newHttpClient();
    // twenty sockets join (so that no join timeout frees a place while the others come)
    List<SignallingSocket> admitted = new ArrayList<>();
    List<WebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      SignallingSocket r = new SignallingSocket();
      WebSocket ws =
          http.newWebSocketBuilder().buildAsync(socketUri(slug), r).get(10, TimeUnit.SECONDS);
      ws.sendText(join, true).get(10, TimeUnit.SECONDS);
      r.await("joined");
      admitted.add(r);
      sockets.add(ws);
    }
    // a hundred and thirty more from the same address, all at once
    List<SignallingSocket> refused = new ArrayList<>();
    List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
    for (int i = 0; i < 130; i++) {
      SignallingSocket r = new SignallingSocket();
      refused.add(r);
      opening.add(http.newWebSocketBuilder().buildAsync(socketUri(slug), r));
    }
    CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    for (SignallingSocket r : refused) {
      r.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.closeCode).isEqualTo(1008);
      assertThat(r.closeReason).isEqualTo("too-many-sockets");
      assertThat(r.frames).hasSize(1);
      JsonNode error = JSON.readTree(r.frames.get(0));
      assertThat(error.get("code").asText()).isEqualTo("too-many-sockets");
      assertThat(error.get("message").asText()).contains("20");
    }
    assertThat(admitted).allMatch(r -> r.closeReason == null);
    // one leaves: one more may come
    sockets.get(0).sendText("{\"type\":\"leave\"}", true).get(10, TimeUnit.SECONDS);
    admitted.get(0).closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    SignallingSocket again = new SignallingSocket();
    WebSocket ws =
        http.newWebSocketBuilder().buildAsync(socketUri(slug), again).get(10, TimeUnit.SECONDS);
    ws.sendText(join, true).get(10, TimeUnit.SECONDS);
    again.await("joined");
    assertThat(again.closeReason).isNull();
    sockets.add(ws);
    for (WebSocket s : sockets) {
      s.abort();
    }
  }

  // --- join timeout

  @Test
  void a_socket_that_only_pings_is_closed_at_the_join_timeout() throws Exception {
    String slug = Api.createPublicRoom().getString("slug");
    // before the open: the server starts its timer when it accepts the socket, which can be before
    // open() returns here (measured from after it, 1.99998 s once)
    long opened = System.nanoTime();
    try (RawWebSocket ws = RawWebSocket.open(socketUri(slug), null)) {
      Frame close = null;
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < 100 && close == null; i++) {
        ws.sendText("{\"type\":\"ping\",\"ts\":" + i + "}");
        Frame f = ws.read(Duration.ofMillis(200));
        while (f != null && f.opcode() == RawWebSocket.TEXT) {
          texts.add(f.text());
          f = ws.read(Duration.ofMillis(50));
        }
        if (f != null && f.opcode() == RawWebSocket.CLOSE) {
          close = f;
        }
      }
      double seconds = (System.nanoTime() - opened) / 1e9;
      assertThat(close).as("closed within 20 s of pings").isNotNull();
      assertThat(close.closeCode()).isEqualTo(1008);
      assertThat(close.closeReason()).isEqualTo("join-timeout");
      assertThat(seconds).isGreaterThanOrEqualTo(2.0).isLessThan(8.0);
      assertThat(texts).anyMatch(t -> t.contains("\"pong\""));
      assertThat(texts.get(texts.size() - 1)).contains("\"join-timeout\"");
    }
  }

  // --- size

  @Test
  void a_message_over_the_limit_gets_frame_too_large_and_close_1009_in_one_frame_or_many()
      throws Exception {
    String slug = Api.createPublicRoom().getString("slug");
    double closedBefore = metric("signalling_sockets_closed_total{reason=\"frame-too-large\"}");
    // at the limit: fine
    try (RawWebSocket ws = RawWebSocket.open(socketUri(slug), null)) {
      ws.send(RawWebSocket.TEXT, true, ping(MAX_BYTES));
      Frame pong = ws.read(WAIT);
      assertThat(pong).isNotNull();
      assertThat(pong.text()).contains("\"pong\"");
    }
    // one byte more, in one frame
    try (RawWebSocket ws = RawWebSocket.open(socketUri(slug), null)) {
      ws.send(RawWebSocket.TEXT, true, ping(MAX_BYTES + 1));
      assertTooLarge(ws);
    }
    // 1.5 MiB in 64 KiB fragments: before, dropped without a word
    try (RawWebSocket ws = RawWebSocket.open(socketUri(slug), null)) {
      byte[] big = ping(1536 * 1024);
      int chunk = 65536;
      for (int at = 0; at < big.length; at += chunk) {
        int end = Math.min(big.length, at + chunk);
        byte[] part = java.util.Arrays.copyOfRange(big, at, end);
        try {
          ws.send(at == 0 ? RawWebSocket.TEXT : RawWebSocket.CONTINUATION, end == big.length, part);
        } catch (java.io.IOException closedMeanwhile) {
          break;
        }
      }
      assertTooLarge(ws);
    }
    // a single frame over the decoder's own cap (1 MiB) is closed by it with 1009
    try (RawWebSocket ws = RawWebSocket.open(socketUri(slug), null)) {
      ws.sendDeclared(RawWebSocket.TEXT, true, 2 * 1024 * 1024, bytes("{\"type\":\"ping\""));
      Frame close = ws.awaitClose(WAIT);
      assertThat(close).isNotNull();
      assertThat(close.closeCode()).isEqualTo(1009);
    }
    // each close is counted for the operators
    assertThat(metric("signalling_sockets_closed_total{reason=\"frame-too-large\"}"))
        .isEqualTo(closedBefore + 3);
  }

  /** A series' value on /q/metrics (0 when absent); {@code series} is "name{label=\"value\"}". */
  private double metric(String series) {
    String name = series.substring(0, series.indexOf('{'));
    String label = series.substring(series.indexOf('{') + 1, series.length() - 1);
    String body = Metrics.text(metrics);
    for (String line : body.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(label)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
      }
    }
    return 0;
  }

  private static void assertTooLarge(RawWebSocket ws) throws Exception {
    Frame error = ws.read(WAIT);
    assertThat(error).isNotNull();
    assertThat(error.opcode()).isEqualTo(RawWebSocket.TEXT);
    JsonNode e = JSON.readTree(error.text());
    assertThat(e.get("type").asText()).isEqualTo("error");
    assertThat(e.get("code").asText()).isEqualTo("frame-too-large");
    Frame close = ws.awaitClose(WAIT);
    assertThat(close).isNotNull();
    assertThat(close.closeCode()).isEqualTo(1009);
    assertThat(close.closeReason()).isEqualTo("frame-too-large");
    // and ends the connection right after, without waiting for the client's answer
    assertThat(ws.endsWithin(Duration.ofSeconds(3))).isTrue();
  }

  /** A ping frame of exactly {@code size} bytes. */
  private static byte[] ping(int size) {
    String head = "{\"type\":\"ping\",\"ts\":1,\"pad\":\"";
    String tail = "\"}";
    return (head + "x".repeat(size - head.length() - tail.length()) + tail)
        .getBytes(StandardCharsets.UTF_8);
  }

  // --- UTF-8

  @Test
  void text_that_is_not_utf_8_is_closed_with_1007_and_split_characters_are_fine() throws Exception {
    String slug = Api.createPublicRoom().getString("slug");
    byte[][] bad = {
      {(byte) 0xC3, 0x28}, // a lead byte without its continuation
      {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
      {(byte) 0xFF},
      {(byte) 0xE2, (byte) 0x82}, // cut short at the end of the message
    };
    for (byte[] b : bad) {
      try (RawWebSocket ws = RawWebSocket.open(socketUri(slug), null)) {
        ws.send(
            RawWebSocket.TEXT, true, concat(bytes("{\"type\":\"ping\",\"x\":\""), b, bytes("\"}")));
        Frame close = ws.awaitClose(WAIT);
        assertThat(close).as(java.util.HexFormat.of().formatHex(b)).isNotNull();
        assertThat(close.closeCode()).isEqualTo(1007);
      }
    }
    // the same bad byte in a later fragment
    try (RawWebSocket ws = RawWebSocket.open(socketUri(slug), null)) {
      ws.send(RawWebSocket.TEXT, false, bytes("{\"type\":\"ping\","));
      ws.send(
          RawWebSocket.CONTINUATION,
          true,
          concat(bytes("\"x\":\""), new byte[] {(byte) 0xFE}, bytes("\"}")));
      assertThat(ws.awaitClose(WAIT).closeCode()).isEqualTo(1007);
    }
    assertThat(metric("signalling_sockets_closed_total{reason=\"invalid-utf8\"}"))
        .isGreaterThanOrEqualTo(bad.length + 1);
    // a character split across two fragments is whole UTF-8
    try (RawWebSocket ws = RawWebSocket.open(socketUri(slug), null)) {
      ws.send(
          RawWebSocket.TEXT,
          false,
          concat(bytes("{\"type\":\"ping\",\"ts\":7,\"x\":\"caf"), new byte[] {(byte) 0xC3}));
      ws.send(RawWebSocket.CONTINUATION, true, concat(new byte[] {(byte) 0xA9}, bytes("\"}")));
      Frame pong = ws.read(WAIT);
      assertThat(pong).isNotNull();
      assertThat(pong.text()).isEqualTo("{\"type\":\"pong\",\"ts\":7}");
    }
  }

  @Test
  void a_binary_frame_or_a_key_given_twice_gets_a_malformed_json_error_as_text() throws Exception {
    // found by the fuzzer: the binary frame's error came back as a binary frame, which a browser
    // hands over as a Blob instead of the text every other error is
    String slug = Api.createPublicRoom().getString("slug");
    try (RawWebSocket ws = RawWebSocket.open(socketUri(slug), null)) {
      ws.send(RawWebSocket.BINARY, true, bytes("{\"type\":\"ping\",\"ts\":1}"));
      Frame error = ws.read(WAIT);
      assertThat(error).isNotNull();
      assertThat(error.opcode()).isEqualTo(RawWebSocket.TEXT);
      assertThat(JSON.readTree(error.text()).get("code").asText()).isEqualTo("malformed-json");
      // a key given twice is ambiguous: refused, not read as its last value
      ws.sendText("{\"type\":\"ping\",\"ts\":2,\"ts\":3}");
      Frame dup = ws.read(WAIT);
      assertThat(dup.opcode()).isEqualTo(RawWebSocket.TEXT);
      assertThat(JSON.readTree(dup.text()).get("code").asText()).isEqualTo("malformed-json");
      // and the socket carries on
      ws.sendText("{\"type\":\"ping\",\"ts\":4}");
      assertThat(ws.read(WAIT).text()).isEqualTo("{\"type\":\"pong\",\"ts\":4}");
    }
  }

  @Test
  void per_message_compression_is_never_negotiated() throws Exception {
    String slug = Api.createPublicRoom().getString("slug");
    try (RawWebSocket ws =
        RawWebSocket.open(socketUri(slug), "permessage-deflate; client_max_window_bits")) {
      assertThat(ws.handshake.toLowerCase(java.util.Locale.ROOT))
          .doesNotContain("permessage-deflate");
    }
  }

  // --- human text in frames, with the real focus

  @Test
  void a_join_or_chat_with_a_refused_character_is_an_error_and_the_socket_carries_on()
      throws Exception {
    String slug = Api.createPublicRoom().getString("slug");
    String token = joinToken(slug, "Ada");
    HttpClient http = HttpClient.newHttpClient();
    SignallingSocket r = new SignallingSocket();
    WebSocket ws =
        http.newWebSocketBuilder().buildAsync(socketUri(slug), r).get(10, TimeUnit.SECONDS);
    List<String> refused =
        List.of(
            "\\u0007", "\\u0000", "\\u001b", "\\u007f", "\\u0085", "\\uffff", "\\ufffe", "\\u202e",
            "\\u2066", "\\u200b", "\\ud800");
    int errors = 0;
    for (String c : refused) {
      ws.sendText(
              "{\"type\":\"join\",\"token\":\"" + token + "\",\"displayName\":\"A" + c + "da\"}",
              true)
          .get(10, TimeUnit.SECONDS);
      JsonNode error = r.awaitNth("error", ++errors);
      assertThat(error.get("code").asText()).as(c).isEqualTo("invalid-text");
      assertThat(error.get("message").asText()).contains("displayName");
    }
    ws.sendText("{\"type\":\"join\",\"token\":\"" + token + "\",\"displayName\":\"Ada\"}", true)
        .get(10, TimeUnit.SECONDS);
    r.await("joined");
    r.await("offer");
    ws.sendText("{\"type\":\"chat\",\"text\":\"hi\\u202e there\"}", true).get(10, TimeUnit.SECONDS);
    assertThat(r.awaitNth("error", ++errors).get("code").asText()).isEqualTo("invalid-text");
    ws.sendText("{\"type\":\"chat\",\"text\":\" hi there \"}", true).get(10, TimeUnit.SECONDS);
    JsonNode chat = r.await("chat");
    assertThat(chat.get("text").asText()).isEqualTo("hi there");
    assertThat(chat.get("displayName").asText()).isEqualTo("Ada");
    assertThat(r.closeReason).isNull();
    ws.sendText("{\"type\":\"leave\"}", true).get(10, TimeUnit.SECONDS);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
