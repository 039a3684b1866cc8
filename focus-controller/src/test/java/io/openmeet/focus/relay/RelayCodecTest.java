package io.openmeet.focus.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openmeet.focus.conference.FocusException;
import io.openmeet.focus.conference.JoinRequest;
import io.openmeet.focus.conference.LeaveReason;
import io.openmeet.focus.conference.ParticipantInfo;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The relay's wire format: what other nodes read, version 1. */
class RelayCodecTest {

  private final RelayCodec codec = new RelayCodec();

  @Test
  void a_join_as_written_in_the_docs_is_read() throws Exception {
    String wire =
        """
        {"v":1,"from":"node-a","message":{"type":"join","session":"s1","request":{
          "roomId":"8a0c5f0e-3c52-4c6f-a0a4-52b0f43e8f3a","roomName":"daily","maxParticipants":12,
          "region":"eu","subject":"guest-1","displayName":"Ada","moderator":true,
          "audio":true,"video":false}}}
        """;

    RelayCodec.Envelope envelope = codec.decode(wire);

    assertThat(envelope.from()).isEqualTo("node-a");
    var join = (RelayMessage.Join) envelope.message();
    assertThat(join.session()).isEqualTo("s1");
    assertThat(join.request().toRequest())
        .isEqualTo(
            new JoinRequest(
                UUID.fromString("8a0c5f0e-3c52-4c6f-a0a4-52b0f43e8f3a"),
                "daily",
                12,
                Optional.of("eu"),
                Optional.empty(),
                "guest-1",
                "Ada",
                true,
                true,
                false));
  }

  @Test
  void every_message_survives_the_wire() throws Exception {
    var info = new ParticipantInfo("p2", "Bob", false, true, false, false);
    List<RelayMessage> messages =
        List.of(
            new RelayMessage.Join(
                "s",
                RelayMessage.JoinSpec.of(
                    new JoinRequest(
                        UUID.randomUUID(),
                        "room",
                        4,
                        Optional.empty(),
                        Optional.of(UUID.randomUUID()),
                        "user",
                        "Ada",
                        false,
                        false,
                        true))),
            new RelayMessage.Resume("s", UUID.randomUUID().toString(), "p1", "user"),
            new RelayMessage.Answer("s", 1, "v=0\r\n"),
            new RelayMessage.IceCandidate("s", 2, "candidate:1 1 udp 1 1.2.3.4 5 typ host", "0"),
            new RelayMessage.IceCandidate("s", 3, "", null),
            new RelayMessage.Mute("s", 4, "p2"),
            new RelayMessage.Kick("s", 5, "p2"),
            new RelayMessage.IceRestart("s", 6),
            new RelayMessage.OfferAgain("s", 9),
            new RelayMessage.MediaState("s", true, false, true),
            new RelayMessage.Chat("s", "héllo \"world\"\n"),
            new RelayMessage.Leave("s", LeaveReason.TIMEOUT),
            new RelayMessage.Ping(List.of("s", "t")),
            new RelayMessage.Pong(List.of()),
            new RelayMessage.JoinResult("s", "p1", null, null),
            new RelayMessage.JoinResult(
                "s",
                null,
                new RelayMessage.Failure(FocusException.Reason.ROOM_FULL, "the room is full"),
                null),
            new RelayMessage.JoinResult("s", null, null, "node-c"),
            new RelayMessage.Result("s", 7, null),
            new RelayMessage.Result(
                "s", 8, new RelayMessage.Failure(FocusException.Reason.NOT_MODERATOR, "no")),
            new RelayMessage.Event("s", new RelayEvent.Joined("p1", List.of(info))),
            new RelayMessage.Event("s", new RelayEvent.Offer("v=0\r\n", null)),
            new RelayMessage.Event("s", new RelayEvent.Offer("v=0\r\n", "wss://bridge/ws")),
            new RelayMessage.Event("s", new RelayEvent.ParticipantJoined(info)),
            new RelayMessage.Event("s", new RelayEvent.ParticipantLeft("p2", LeaveReason.KICKED)),
            new RelayMessage.Event("s", new RelayEvent.MediaState("p2", false, true, false)),
            new RelayMessage.Event("s", new RelayEvent.Chat("p2", "Bob", "hi", 1234L)),
            new RelayMessage.Event("s", new RelayEvent.Muted("p2")),
            new RelayMessage.Event("s", new RelayEvent.Removed(LeaveReason.ROOM_CLOSED)));

    for (RelayMessage m : messages) {
      String wire = codec.encode("node-b", m);
      RelayCodec.Envelope back = codec.decode(wire);
      assertThat(back.v()).isEqualTo(RelayCodec.VERSION);
      assertThat(back.from()).isEqualTo("node-b");
      assertThat(back.message()).as(wire).isEqualTo(m);
    }
  }

  @Test
  void absent_values_are_left_out_of_the_wire() {
    String wire = codec.encode("n", new RelayMessage.Result("s", 1, null));
    assertThat(wire)
        .isEqualTo(
            "{\"v\":1,\"from\":\"n\",\"message\":{\"type\":\"result\",\"session\":\"s\",\"call\":1}}");
  }

  @Test
  void fields_a_reader_does_not_know_are_ignored() throws Exception {
    var m =
        codec.decode(
            "{\"v\":1,\"from\":\"n\",\"trace\":\"x\",\"message\":{\"type\":\"chat\","
                + "\"session\":\"s\",\"text\":\"hi\",\"lang\":\"en\"}}");
    assertThat(m.message()).isEqualTo(new RelayMessage.Chat("s", "hi"));
  }

  @Test
  void another_version_or_a_broken_message_is_refused() {
    for (String wire :
        List.of(
            "{\"v\":2,\"from\":\"n\",\"message\":{\"type\":\"chat\",\"session\":\"s\"}}",
            "{\"from\":\"n\",\"message\":{\"type\":\"chat\",\"session\":\"s\"}}",
            "{\"v\":1,\"from\":\"n\",\"message\":{\"type\":\"teleport\"}}",
            "{\"v\":1,\"message\":{\"type\":\"ping\",\"sessions\":[]}}",
            "{\"v\":1,\"from\":\"n\",\"message\":{\"type\":\"chat\",\"text\":\"no session\"}}",
            "{\"v\":1,\"from\":\"n\",\"message\":{\"type\":\"leave\",\"session\":\"s\"}}",
            "{\"v\":1,\"from\":\"n\",\"message\":{\"type\":\"resume\",\"session\":\"s\",\"roomId\":\"r\"}}",
            "{\"v\":1,\"from\":\"n\",\"message\":{\"type\":\"event\",\"session\":\"s\"}}",
            "[1,2]",
            "not json")) {
      assertThatThrownBy(() -> codec.decode(wire))
          .as(wire)
          .isInstanceOf(RelayCodec.UnreadableMessageException.class);
    }
  }
}
