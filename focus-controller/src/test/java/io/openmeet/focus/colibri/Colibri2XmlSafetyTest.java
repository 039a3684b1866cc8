package io.openmeet.focus.colibri;

import static io.openmeet.focus.colibri.BridgeAnswers.answered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.openmeet.focus.colibri.ColibriSessionManager.Conference;
import io.openmeet.focus.sdp.DtlsFingerprint;
import io.openmeet.focus.sdp.IceCandidate;
import io.openmeet.focus.sdp.Setup;
import io.openmeet.focus.sdp.TransportDescription;
import io.openmeet.focus.testing.Eventually;
import io.openmeet.focus.testing.FocusStack;
import io.openmeet.focus.testing.LiteTestBridge;
import io.openmeet.focus.testing.TestEnv;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jivesoftware.smack.ConnectionListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A value XML 1.0 cannot carry never reaches the real Prosody: the request is refused with {@link
 * UnsendableRequestException}, the focus's XMPP stream stays up, and the next request on it works.
 * (Sent as it is, such a value makes Prosody close the stream as not-well-formed, and every
 * conference of the node loses its bridge until Smack reconnects.)
 */
class Colibri2XmlSafetyTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  /** What XML 1.0 cannot carry: C0 controls but TAB/LF/CR, U+FFFE, U+FFFF, lone surrogates. */
  private static final List<String> UNSENDABLE =
      List.of(
          "\u0000", "\u0007", "\u0008", "\u000B", "\u000C", "\u001B", "\u001F", "\uFFFE", "\uFFFF",
          "\uD800", "\uDC00");

  private static LiteTestBridge bridge;
  private static FocusStack stack;
  private static Colibri2SessionManager manager;
  private static final AtomicInteger streamsLost = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    String brewery = TestEnv.uniqueBrewery();
    bridge = LiteTestBridge.start(brewery, "lite-" + UUID.randomUUID().toString().substring(0, 8));
    stack = FocusStack.start(brewery);
    stack
        .focus()
        .smack()
        .addConnectionListener(
            new ConnectionListener() {
              @Override
              public void connectionClosedOnError(Exception e) {
                streamsLost.incrementAndGet();
              }
            });
    manager = stack.manager("single-bridge", Duration.ofSeconds(5));
    Eventually.within(WAIT, () -> assertThat(stack.registry().bridge(bridge.id())).isPresent());
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (bridge != null) {
      bridge.close();
    }
  }

  @Test
  void a_stats_id_with_a_character_xml_cannot_carry_is_refused_and_the_stream_stays_up()
      throws Exception {
    for (String c : UNSENDABLE) {
      Conference conference = conference();
      var refused =
          catchThrowableOfType(
              UnsendableRequestException.class,
              () -> manager.allocate(conference, "ep-bad", "A" + c + "da"));
      assertThat(refused).as("U+%04X", (int) c.charAt(0)).isNotNull();
      assertThat(refused.getMessage()).contains(String.format("U+%04X", (int) c.charAt(0)));
      manager.expireConference(conference.meetingId());

      // the same connection serves the next participant at once
      Conference next = conference();
      ColibriAllocation ok = manager.allocate(next, "ep-ok", "Ada");
      assertThat(ok.transport().candidates()).isNotEmpty();
      manager.expireConference(next.meetingId());
    }
    assertThat(stack.focus().smack().isConnected()).isTrue();
    assertThat(streamsLost).hasValue(0);
  }

  @Test
  void an_update_whose_transport_holds_such_a_character_is_refused_and_the_stream_stays_up()
      throws Exception {
    Conference conference = conference();
    ColibriAllocation allocation = manager.allocate(conference, "ep1", "Ada");
    for (String c : UNSENDABLE) {
      // built directly, past the SDP parser that would refuse it first
      TransportDescription poisoned =
          transport(
              new IceCandidate(
                  "1",
                  1,
                  "udp",
                  2122260223L,
                  "192.0.2.1",
                  50000,
                  "srflx",
                  "10.0.0." + c,
                  9,
                  null,
                  0));
      var refused =
          catchThrowableOfType(
              UnsendableRequestException.class,
              () -> answered(manager.update(conference.meetingId(), "ep1", poisoned, List.of())));
      assertThat(refused).as("U+%04X", (int) c.charAt(0)).isNotNull();
    }
    // the endpoint is still there and takes a clean update on the same stream
    answered(
        manager.update(
            conference.meetingId(),
            "ep1",
            transport(
                new IceCandidate(
                    "1", 1, "udp", 2122260223L, "192.0.2.1", 50000, "host", null, -1, null, 0)),
            List.of()));
    assertThat(allocation.bridgeId()).isNotBlank();
    assertThat(stack.focus().smack().isConnected()).isTrue();
    assertThat(streamsLost).hasValue(0);
    manager.expireConference(conference.meetingId());
  }

  private static TransportDescription transport(IceCandidate candidate) {
    return new TransportDescription(
        "AbCd",
        "0123456789abcdefghijklmn",
        List.of(
            new DtlsFingerprint(
                "sha-256",
                "2E:87:C2:A6:DE:39:ED:32:8C:5E:8E:1C:BE:B8:F7:AB:6D:A1:87:FC:EF:47:B3:93:A9:5A:38:DB:FA:42:3A:5A",
                Setup.ACTIVE)),
        List.of(candidate));
  }

  private static Conference conference() {
    String meetingId = UUID.randomUUID().toString();
    return new Conference(
        meetingId,
        "room-" + meetingId.substring(0, 8) + "@conference.meet.local",
        Optional.empty());
  }
}
