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
        "{\"type\":\"ice-candidate\",\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 9 typ"
            + " host\",\"sdpMLineIndex\":-1}",
        SignallingError.INVALID_MESSAGE);
    assertError("{\"type\":\"chat\",\"text\":7}", SignallingError.INVALID_MESSAGE);
    assertError(
        "{\"type\":\"join\",\"token\":\"t\",\"displayName\":7}", SignallingError.INVALID_MESSAGE);
  }

  @Test
  void names_and_chat_are_held_to_the_human_text_policy() throws Exception {
    // every kind the policy refuses, as a browser would send it (raw or \\u-escaped in JSON)
    List<String> refused =
        List.of(
            "\\u0007", "\\u0000", "\\u001b", "\\u007f", "\\u0085", "\\u009f", "\\t", "\\n",
            "\\u202e", "\\u2066", "\\u200b", "\\ufeff", "\\u2028", "\\ufdd0", "\\ufffe", "\\uffff",
            "\\ud800", "\\udfff", "\u202e", "\u200b", "\u0085");
    for (String c : refused) {
      for (String frame :
          List.of(
              "{\"type\":\"join\",\"token\":\"t\",\"displayName\":\"A" + c + "da\"}",
              "{\"type\":\"chat\",\"text\":\"hi " + c + " there\"}")) {
        assertThatThrownBy(() -> codec.decode(frame))
            .as(frame)
            .isInstanceOfSatisfying(
                SignallingException.class,
                e -> {
                  assertThat(e.error()).isEqualTo(SignallingError.INVALID_TEXT);
                  assertThat(e.error().code()).isEqualTo("invalid-text");
                  assertThat(e.getMessage()).containsAnyOf("displayName", "text").contains("U+");
                });
      }
    }
    // lengths count characters: 64 emoji are a fine name, 65 are not; chat stops at 4000
    String emoji = "\ud83d\ude00";
    assertThat(
            ((ClientMessage.Join)
                    codec.decode(
                        "{\"type\":\"join\",\"token\":\"t\",\"displayName\":\""
                            + emoji.repeat(64)
                            + "\"}"))
                .displayName())
        .contains(emoji.repeat(64));
    assertError(
        "{\"type\":\"join\",\"token\":\"t\",\"displayName\":\"" + emoji.repeat(65) + "\"}",
        SignallingError.INVALID_TEXT);
    assertError(
        "{\"type\":\"chat\",\"text\":\"" + "x".repeat(4001) + "\"}", SignallingError.INVALID_TEXT);
    assertError("{\"type\":\"chat\",\"text\":\"  \"}", SignallingError.INVALID_TEXT);
    // and what is accepted comes out normalised
    assertThat(codec.decode("{\"type\":\"chat\",\"text\":\" Jose\\u0301 \"}"))
        .isEqualTo(new ClientMessage.Chat("Jos\u00e9"));
  }

  @Test
  void trickled_candidates_are_held_to_their_grammar() throws Exception {
    for (String good :
        List.of(
            "candidate:842163049 1 udp 1677729535 203.0.113.7 52000 typ srflx raddr 0.0.0.0 rport"
                + " 0 generation 0 ufrag AbCd network-cost 999",
            "candidate:4150393137 1 udp 2122260223 2c3e4f5a-1b2c-4d5e-8f90-a1b2c3d4e5f6.local"
                + " 54321 typ host generation 0 ufrag AbCd network-cost 999",
            "candidate:2 1 TCP 2105524479 192.168.1.2 9 typ host tcptype active",
            "")) {
      assertThat(
              codec.decode(
                  "{\"type\":\"ice-candidate\",\"candidate\":\"" + good + "\",\"sdpMid\":\"0\"}"))
          .isEqualTo(new ClientMessage.IceCandidate(good, Optional.of("0"), Optional.empty()));
    }
    for (String bad :
        List.of(
            "candidate:1 1 udp 1 1.2.3.4 9 typ srflx raddr 10.0.0.\\u0007 rport 9",
            "candidate:1 1 udp 1 1.2.3.4:\\u0007 9 typ host",
            "candidate:1 1 tcp 1 1.2.3.4 9 typ host tcptype \\\"/>",
            "candidate:1 1 udp 1 1.2.3.4 9 typ host ufrag \\uffff",
            "not a candidate")) {
      assertError(
          "{\"type\":\"ice-candidate\",\"candidate\":\"" + bad + "\"}",
          SignallingError.INVALID_SDP);
    }
  }

  @Test
  void p2p_frames_decode_and_bad_ones_are_typed_errors() throws Exception {
    assertThat(codec.decode("{\"type\":\"p2p-offer\",\"sessionId\":\"s1\",\"sdp\":\"v=0\"}"))
        .isEqualTo(new ClientMessage.P2pDescription("s1", "offer", "v=0"));
    assertThat(codec.decode("{\"type\":\"p2p-answer\",\"sessionId\":\"s1\",\"sdp\":\"v=0\"}"))
        .isEqualTo(new ClientMessage.P2pDescription("s1", "answer", "v=0"));
    assertThat(
            codec.decode(
                "{\"type\":\"p2p-candidate\",\"sessionId\":\"s1\",\"candidate\":\"\",\"sdpMLineIndex\":0}"))
        .isEqualTo(new ClientMessage.P2pCandidate("s1", "", Optional.empty(), Optional.of(0)));
    assertThat(codec.decode("{\"type\":\"p2p-state\",\"sessionId\":\"s1\",\"state\":\"failed\"}"))
        .isEqualTo(new ClientMessage.P2pState("s1", false));
    assertThat(codec.decode("{\"type\":\"p2p-video\",\"sessionId\":\"s1\",\"receive\":false}"))
        .isEqualTo(new ClientMessage.P2pVideo("s1", false));
    assertError(
        "{\"type\":\"p2p-video\",\"sessionId\":\"s1\",\"receive\":\"no\"}",
        SignallingError.INVALID_MESSAGE);
    assertThat(codec.encode(new ServerMessage.P2pVideo("s1", "p1", true)))
        .isEqualTo(
            "{\"type\":\"p2p-video\",\"sessionId\":\"s1\",\"from\":\"p1\",\"receive\":true}");
    assertError("{\"type\":\"p2p-offer\",\"sdp\":\"v=0\"}", SignallingError.INVALID_MESSAGE);
    assertError(
        "{\"type\":\"p2p-offer\",\"sessionId\":\"" + "s".repeat(65) + "\",\"sdp\":\"v=0\"}",
        SignallingError.INVALID_MESSAGE);
    assertError(
        "{\"type\":\"p2p-state\",\"sessionId\":\"s1\",\"state\":\"up\"}",
        SignallingError.INVALID_MESSAGE);
    assertError(
        "{\"type\":\"p2p-candidate\",\"sessionId\":\"s1\",\"candidate\":\"not a candidate\"}",
        SignallingError.INVALID_SDP);
    assertThat(codec.encode(new ServerMessage.P2pDescription("p2p-answer", "s1", "p1", "v=0")))
        .isEqualTo(
            "{\"type\":\"p2p-answer\",\"sessionId\":\"s1\",\"from\":\"p1\",\"sdp\":\"v=0\"}");
    assertThat(codec.encode(new ServerMessage.P2pStart("s1", "p2", true)))
        .isEqualTo(
            "{\"type\":\"p2p-start\",\"sessionId\":\"s1\",\"peerId\":\"p2\",\"initiator\":true}");
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
