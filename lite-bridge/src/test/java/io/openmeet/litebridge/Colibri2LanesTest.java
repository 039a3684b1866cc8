package io.openmeet.litebridge;

import static io.openmeet.litebridge.Colibri2Requests.createEndpoint;
import static io.openmeet.litebridge.Colibri2Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.colibri2.Colibri2RequestHandler;
import io.openmeet.litebridge.conference.Conference;
import io.openmeet.litebridge.conference.Conferences;
import io.openmeet.litebridge.conference.Endpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Endpoint;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Requests of one meeting are answered in arrival order; a slow request holds up only its own lane,
 * not the other meetings' allocations (the bridge used to handle every request under one lock). The
 * idle sweep runs outside the lanes.
 */
class Colibri2LanesTest {
  private final RecordingMediaEngine engine = new RecordingMediaEngine();
  private volatile Consumer<Endpoint> onEndpointExpired = endpoint -> {};
  private final Conferences conferences =
      new Conferences(
          engine,
          new MutableClock(Instant.parse("2026-11-28T04:00:00Z")),
          Duration.ofMinutes(1),
          Duration.ofSeconds(30),
          new Conferences.Listener() {
            @Override
            public void endpointExpired(Conference conference, Endpoint endpoint) {
              onEndpointExpired.accept(endpoint);
            }

            @Override
            public void conferenceExpired(Conference conference) {}
          });
  private final Colibri2RequestHandler handler =
      new Colibri2RequestHandler(conferences, engine::localFingerprint, (m, e, p) -> null);
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() {
    release.countDown();
    handler.close();
  }

  private record Answer(String label, IQ iq) {}

  @Test
  void aSlowRequestHoldsUpOnlyItsOwnMeetingAndItsMeetingStaysInOrder() throws Exception {
    String slowMeeting = "meeting-slow";
    String otherMeeting = meetingOnAnotherLane(slowMeeting);
    engine.beforeCreateEndpoint =
        id -> {
          if (id.equals("slow")) {
            await(release);
          }
        };
    Jid bridge = JidCreate.from("jvb@internal.auth.meet.local/lite");
    BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();

    ConferenceModifyIQ createSlow =
        request(bridge, slowMeeting)
            .setCreate(true)
            .addEndpoint(createEndpoint("slow", true))
            .build();
    // the next request of the same meeting needs the conference the first one creates
    ConferenceModifyIQ thenAddOne =
        request(bridge, slowMeeting).addEndpoint(createEndpoint("second", true)).build();
    ConferenceModifyIQ otherMeetingCreate =
        request(bridge, otherMeeting)
            .setCreate(true)
            .addEndpoint(createEndpoint("fast", true))
            .build();

    handler.handleInOrder(createSlow, iq -> answers.add(new Answer("slow", iq)));
    handler.handleInOrder(thenAddOne, iq -> answers.add(new Answer("second", iq)));
    handler.handleInOrder(otherMeetingCreate, iq -> answers.add(new Answer("fast", iq)));

    Answer first = answers.poll(5, TimeUnit.SECONDS);
    assertThat(first)
        .as("the other meeting's answer while the slow one is still running")
        .isNotNull();
    assertThat(first.label()).isEqualTo("fast");
    assertThat(first.iq().getType()).isEqualTo(IQ.Type.result);
    assertThat(answers.poll(200, TimeUnit.MILLISECONDS))
        .as("nothing overtakes the slow one")
        .isNull();

    release.countDown();
    Answer second = answers.poll(5, TimeUnit.SECONDS);
    Answer third = answers.poll(5, TimeUnit.SECONDS);
    assertThat(second.label()).isEqualTo("slow");
    assertThat(third.label()).isEqualTo("second");
    assertThat(second.iq().getType()).isEqualTo(IQ.Type.result);
    assertThat(third.iq().getType())
        .as("answered after the conference existed: %s", third.iq().toXML())
        .isEqualTo(IQ.Type.result);
    assertThat(conferences.get(slowMeeting).orElseThrow().endpoints())
        .extracting(Endpoint::id)
        .containsExactlyInAnyOrder("slow", "second");
  }

  @Test
  void aConferenceTheSweepExpiresWhileARequestRunsIsConferenceNotFound() throws Exception {
    Jid bridge = JidCreate.from("jvb@internal.auth.meet.local/lite");
    handler.handle(
        request(bridge, "m1").setCreate(true).addEndpoint(createEndpoint("ada", true)).build());
    Conference conference = conferences.get("m1").orElseThrow();
    // the sweep takes the conference half-way through the next request: after its first
    // instruction (Ada's expire), before its second (Bob's create)
    onEndpointExpired = endpoint -> conferences.expire(conference);
    Colibri2Endpoint.Builder adaLeaves = Colibri2Endpoint.getBuilder();
    adaLeaves.setId("ada");
    adaLeaves.setExpire(true);

    IQ answer =
        handler.handle(
            request(bridge, "m1")
                .addEndpoint(adaLeaves.build())
                .addEndpoint(createEndpoint("bob", true))
                .build());

    // what the focus reads as "create the conference again", not an internal error
    assertThat(answer.getType()).isEqualTo(IQ.Type.error);
    assertThat(answer.getError().getCondition()).isEqualTo(StanzaError.Condition.item_not_found);
    Colibri2Error reason =
        answer.getError().getExtension(Colibri2Error.ELEMENT, Colibri2Error.NAMESPACE);
    assertThat(reason.getReason()).isEqualTo(Colibri2Error.Reason.CONFERENCE_NOT_FOUND);
    assertThat(engine.conferences.get("m1").endpoints).doesNotContainKey("bob");
  }

  @Test
  void afterCloseARequestIsAnsweredGracefulShutdown() throws Exception {
    handler.close();
    IQ answer =
        handler.handle(
            request(JidCreate.from("jvb@internal.auth.meet.local/lite"), "m2")
                .setCreate(true)
                .build());
    assertThat(answer.getType()).isEqualTo(IQ.Type.error);
    assertThat(answer.getError().getCondition())
        .isEqualTo(StanzaError.Condition.service_unavailable);
  }

  private static String meetingOnAnotherLane(String meetingId) {
    for (int i = 0; ; i++) {
      String candidate = "meeting-" + i;
      if (Colibri2RequestHandler.lane(candidate) != Colibri2RequestHandler.lane(meetingId)) {
        return candidate;
      }
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
