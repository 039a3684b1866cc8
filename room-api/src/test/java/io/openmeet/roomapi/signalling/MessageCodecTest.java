package io.openmeet.roomapi.signalling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

  private final ObjectMapper mapper = new ObjectMapper();
  private final MessageCodec codec = new MessageCodec(mapper, 64 * 1024);

  @Test
  void join_with_token_and_name_is_decoded_with_defaults_for_media() throws Exception {
    var msg = codec.decode("{\"type\":\"join\",\"token\":\"a.b.c\",\"displayName\":\" Ada \"}");
    assertThat(msg)
        .isEqualTo(
            new ClientMessage.Join("a.b.c", Optional.of("Ada"), Optional.empty(), true, true));
  }

  @Test
  void join_muted_with_camera_off() throws Exception {
    var msg = codec.decode("{\"type\":\"join\",\"token\":\"t\",\"audio\":false,\"video\":false}");
    assertThat(msg)
        .isEqualTo(new ClientMessage.Join("t", Optional.empty(), Optional.empty(), false, false));
  }

  @Test
  void every_client_type_decodes() throws Exception {
    assertThat(codec.decode("{\"type\":\"answer\",\"sdp\":\"v=0\"}"))
        .isEqualTo(new ClientMessage.Answer("v=0"));
    assertThat(
            codec.decode(
                "{\"type\":\"ice-candidate\",\"candidate\":\"\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}"))
        .isEqualTo(new ClientMessage.IceCandidate("", Optional.of("0"), Optional.of(0)));
    assertThat(codec.decode("{\"type\":\"media-state\",\"audio\":true,\"video\":false}"))
        .isEqualTo(new ClientMessage.MediaState(true, false, false));
    assertThat(codec.decode("{\"type\":\"chat\",\"text\":\"hi\"}"))
        .isEqualTo(new ClientMessage.Chat("hi"));
    assertThat(codec.decode("{\"type\":\"moderate\",\"action\":\"kick\",\"participantId\":\"p1\"}"))
        .isEqualTo(new ClientMessage.Moderate(ClientMessage.Moderate.Action.KICK, "p1"));
    assertThat(codec.decode("{\"type\":\"ice-restart\"}"))
        .isEqualTo(new ClientMessage.IceRestart());
    assertThat(codec.decode("{\"type\":\"ice-state\",\"state\":\"connected\"}"))
        .isEqualTo(new ClientMessage.IceState(ClientMessage.IceState.State.CONNECTED));
    assertThat(codec.decode("{\"type\":\"ice-state\",\"state\":\"failed\"}"))
        .isEqualTo(new ClientMessage.IceState(ClientMessage.IceState.State.FAILED));
    assertThat(codec.decode("{\"type\":\"leave\"}")).isEqualTo(new ClientMessage.Leave());
    assertThat(codec.decode("{\"type\":\"ping\",\"ts\":42}"))
        .isEqualTo(new ClientMessage.Ping(Optional.of(42L)));
  }

  @Test
  void malformed_json_is_a_typed_error() {
    assertError("{\"type\":", SignallingError.MALFORMED_JSON);
    assertError("[1,2]", SignallingError.MALFORMED_JSON);
    assertError("\"join\"", SignallingError.MALFORMED_JSON);
    assertError("", SignallingError.MALFORMED_JSON);
  }

  @Test
  void unknown_or_missing_type_is_a_typed_error() {
    assertError("{\"type\":\"teleport\"}", SignallingError.UNKNOWN_TYPE);
    assertError("{\"token\":\"x\"}", SignallingError.UNKNOWN_TYPE);
    assertError("{\"type\":7}", SignallingError.UNKNOWN_TYPE);
  }

  @Test
  void missing_or_wrongly_typed_fields_name_the_field() {
    assertThatThrownBy(() -> codec.decode("{\"type\":\"join\"}"))
        .isInstanceOf(SignallingException.class)
        .hasMessageContaining("token");
    assertError("{\"type\":\"join\",\"token\":\"  \"}", SignallingError.INVALID_MESSAGE);
    assertError("{\"type\":\"answer\",\"sdp\":5}", SignallingError.INVALID_MESSAGE);
    assertError("{\"type\":\"ice-state\"}", SignallingError.INVALID_MESSAGE);
    assertError("{\"type\":\"ice-state\",\"state\":\"checking\"}", SignallingError.INVALID_MESSAGE);
    assertError(
        "{\"type\":\"join\",\"token\":\"t\",\"resumeToken\":7}", SignallingError.INVALID_MESSAGE);
    assertError(
        "{\"type\":\"media-state\",\"audio\":\"yes\",\"video\":true}",
        SignallingError.INVALID_MESSAGE);
    assertError(
        "{\"type\":\"moderate\",\"action\":\"ban\",\"participantId\":\"p\"}",
        SignallingError.INVALID_MESSAGE);
    assertError(
        "{\"type\":\"ice-candidate\",\"candidate\":\"c\",\"sdpMLineIndex\":-1}",
        SignallingError.INVALID_MESSAGE);
    assertError(
        "{\"type\":\"chat\",\"text\":\"" + "x".repeat(4001) + "\"}",
        SignallingError.INVALID_MESSAGE);
  }

  @Test
  void oversized_frame_is_refused_before_parsing() {
    var small = new MessageCodec(mapper, 100);
    assertThatThrownBy(
            () -> small.decode("{\"type\":\"chat\",\"text\":\"" + "x".repeat(200) + "\"}"))
        .isInstanceOfSatisfying(
            SignallingException.class,
            e -> assertThat(e.error()).isEqualTo(SignallingError.FRAME_TOO_LARGE));
  }

  @Test
  void server_frames_carry_their_type_first_and_omit_nulls() throws Exception {
    String json =
        codec.encode(
            new ServerMessage.Joined(
                MessageCodec.PROTOCOL_VERSION,
                "p1",
                "r1",
                true,
                List.of(new ServerMessage.Participant("p2", "Bob", false, true, false, false)),
                List.of(),
                "resume"));
    assertThat(json).startsWith("{\"type\":\"joined\"");
    assertThat(mapper.readTree(json).get("participants").get(0).get("displayName").asText())
        .isEqualTo("Bob");
    assertThat(codec.encode(new ServerMessage.Offer("v=0", null)))
        .isEqualTo("{\"type\":\"offer\",\"sdp\":\"v=0\"}");
    assertThat(codec.encode(ServerMessage.Error.of(SignallingError.ROOM_FULL, "full")))
        .isEqualTo("{\"type\":\"error\",\"code\":\"room-full\",\"message\":\"full\"}");
  }

  /**
   * Mutated valid frames (a seeded, bounded property test): only SignallingException may escape.
   */
  @Test
  void mutated_frames_only_ever_yield_signalling_errors() {
    List<String> seeds =
        List.of(
            "{\"type\":\"join\",\"token\":\"a.b.c\",\"displayName\":\"Ada\",\"audio\":true}",
            "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 0.0.0.0\"}",
            "{\"type\":\"ice-candidate\",\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 9 typ host\",\"sdpMLineIndex\":0}",
            "{\"type\":\"media-state\",\"audio\":true,\"video\":false,\"screen\":true}",
            "{\"type\":\"moderate\",\"action\":\"mute\",\"participantId\":\"p\"}",
            "{\"type\":\"ping\",\"ts\":123456789012}");
    String alphabet = "{}[]\":,\\ 0123456789-+.eEtruefalsnl\u0000\u00e9\ud83d\ude00";
    Random random = new Random(20261127L);
    int decoded = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder frame = new StringBuilder(seeds.get(random.nextInt(seeds.size())));
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits && frame.length() > 0; e++) {
        int at = random.nextInt(frame.length());
        switch (random.nextInt(3)) {
          case 0 -> frame.deleteCharAt(at);
          case 1 -> frame.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
          default -> frame.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      try {
        codec.decode(frame.toString());
        decoded++;
      } catch (SignallingException expected) {
        assertThat(expected.error()).isNotNull();
      }
    }
    // the mutations must exercise both outcomes, or the test proves nothing
    assertThat(decoded).isBetween(1, 19_999);
  }

  private void assertError(String frame, SignallingError expected) {
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOfSatisfying(
            SignallingException.class, e -> assertThat(e.error()).isEqualTo(expected));
  }
}
