package io.openmeet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.allocation.ReceiverVideoConstraints;
import io.openmeet.litebridge.allocation.VideoConstraints;
import io.openmeet.litebridge.colibri2.Colibri2RequestHandler;
import io.openmeet.litebridge.conference.Conferences;
import io.openmeet.litebridge.media.Ice4jMediaEngine;
import io.openmeet.litebridge.media.MediaConfig;
import io.openmeet.litebridge.xmpp.XmppProviders;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Endpoint;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifiedIQ;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Synthetic endpoints allocated the way the focus allocates browsers: Colibri2 requests (sent and
 * answered as XML) to the bridge's request handler on the real media engine, the endpoint
 * connecting with what the answer says. Expiry, by request or by idleness, stops media to the
 * endpoint.
 */
class Colibri2MediaTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration ENDPOINT_TIMEOUT = Duration.ofSeconds(2);

  private Ice4jMediaEngine engine;
  private Conferences conferences;
  private Colibri2RequestHandler handler;
  private final String meetingId = UUID.randomUUID().toString();
  private final List<SyntheticEndpoint> endpoints = new ArrayList<>();
  private final List<String> dominantSpeakers = new CopyOnWriteArrayList<>();
  private int iqs;

  @BeforeEach
  void start() {
    XmppProviders.register();
    engine = new Ice4jMediaEngine(new MediaConfig(0, List.of("127.0.0.1"), List.of()));
    conferences =
        new Conferences(
            engine,
            Clock.systemUTC(),
            ENDPOINT_TIMEOUT,
            Duration.ofMinutes(1),
            new Conferences.Listener() {
              @Override
              public void dominantSpeakerChanged(
                  io.openmeet.litebridge.conference.Conference conference,
                  String endpointId,
                  List<String> previousSpeakers) {
                dominantSpeakers.add(endpointId);
              }
            });
    handler = new Colibri2RequestHandler(conferences, engine::localFingerprint, (m, e, p) -> null);
  }

  @AfterEach
  void stop() {
    endpoints.forEach(SyntheticEndpoint::close);
    conferences.expireAll();
    engine.close();
  }

  @Test
  void anEndpointExpiredByColibri2StopsReceivingAndTheOthersCarryOn() throws Exception {
    SyntheticEndpoint a = join("a");
    SyntheticEndpoint b = join("b");
    SyntheticEndpoint c = join("c");
    a.sendAudio(40);
    BridgeHarness.await(
        () -> b.receivedCount(a.audioSsrc()) == 1 && c.receivedCount(a.audioSsrc()) == 1,
        WAIT,
        "a's first packet at b and c");

    IQ expired = send(request().addEndpoint(expire("b")).build());
    assertThat(expired.getType()).as(expired.toXML().toString()).isEqualTo(IQ.Type.result);

    for (int i = 0; i < 10; i++) {
      a.sendAudio(40);
      b.sendAudio(40);
    }
    BridgeHarness.await(() -> c.receivedCount(a.audioSsrc()) == 11, WAIT, "c keeps receiving");
    Thread.sleep(300);
    assertThat(b.receivedCount(a.audioSsrc())).isEqualTo(1);
    assertThat(c.receivedCount(b.audioSsrc())).isZero();
    // and the focus is told the endpoint is gone
    IQ update = send(request().addEndpoint(SyntheticColibri2.update("b", b)).build());
    assertThat(update.getType()).isEqualTo(IQ.Type.error);
    assertThat(update.getError().getCondition()).isEqualTo(StanzaError.Condition.item_not_found);
    Colibri2Error reason =
        update.getError().getExtension(Colibri2Error.ELEMENT, Colibri2Error.NAMESPACE);
    assertThat(reason.getReason()).isEqualTo(Colibri2Error.Reason.UNKNOWN_ENDPOINT);
  }

  @Test
  void anIdleEndpointExpiresWhileOneWhosePacketsArriveStays() throws Exception {
    SyntheticEndpoint a = join("a");
    SyntheticEndpoint b = join("b");
    // b goes quiet (a browser tab that froze); a keeps sending 20 ms audio
    long until = System.nanoTime() + ENDPOINT_TIMEOUT.multipliedBy(2).toNanos();
    while (System.nanoTime() < until) {
      a.sendAudio(40);
      conferences.expireIdle();
      Thread.sleep(20);
    }
    var conference = conferences.get(meetingId).orElseThrow();
    assertThat(conference.endpoint("b")).isEmpty();
    assertThat(conference.endpoint("a")).isPresent();

    long atB = b.receivedCount(a.audioSsrc());
    a.sendAudio(40);
    Thread.sleep(300);
    assertThat(b.receivedCount(a.audioSsrc())).isEqualTo(atB);

    // a newcomer still gets a's media: the conference was not harmed
    SyntheticEndpoint c = join("c");
    // sent until it arrives: join() waits for c's side only, and the bridge drops what comes
    // before it has c's SRTP keys (a CI run on a stalled machine lost the single packet sent here)
    BridgeHarness.await(
        () -> {
          a.sendAudio(40);
          return c.receivedCount(a.audioSsrc()) >= 1;
        },
        WAIT,
        "a's audio at c");
  }

  /**
   * Colibri2 force-mute, as jicofo sends it for a moderator's mute: the bridge drops what the
   * endpoint sends of the muted type (its audio then also stops counting for the dominant speaker),
   * forwards the other type, and forwards again once the force-mute is cleared.
   */
  @Test
  void forceMutedMediaIsDroppedAtTheBridgeUntilTheMuteIsCleared() throws Exception {
    SyntheticEndpoint a = join("a");
    SyntheticEndpoint b = join("b");
    SyntheticEndpoint c = join("c");
    var conference = conferences.get(meetingId).orElseThrow();
    // c takes every video (as a browser's ReceiverVideoConstraints would ask)
    conference
        .allocation()
        .receiverConstraints(
            "c",
            new ReceiverVideoConstraints(
                -1, null, null, new VideoConstraints(720, VideoConstraints.UNLIMITED), null));
    BridgeHarness.await(
        () -> {
          b.sendAudio(30);
          b.sendVideo(200, true);
          return c.receivedCount(b.audioSsrc()) > 0 && c.receivedCount(b.videoSsrc()) > 0;
        },
        WAIT,
        "b's audio and video at c");

    IQ muted = send(request().addEndpoint(forceMute("b", true, false)).build());
    assertThat(muted.getType()).as(muted.toXML().toString()).isEqualTo(IQ.Type.result);
    // b's audio sent before the mute may still be on its way to c: count once it has all landed
    long audioBefore = BridgeHarness.settledCount(c, b.audioSsrc(), WAIT);
    long videoBefore = c.receivedCount(b.videoSsrc());
    for (int i = 0; i < 20; i++) {
      b.sendAudio(0); // loud: it would win the dominant speaker if it counted
      b.sendVideo(200, false);
      a.sendAudio(60);
    }
    BridgeHarness.await(
        () -> c.receivedCount(a.audioSsrc()) >= 20 && c.receivedCount(b.videoSsrc()) >= 20,
        WAIT,
        "a's audio and b's video keep flowing to c");
    assertThat(c.receivedCount(b.audioSsrc())).as("b's audio at c").isEqualTo(audioBefore);
    assertThat(c.receivedCount(b.videoSsrc())).isGreaterThan(videoBefore);

    // video muted too, audio allowed again
    send(request().addEndpoint(forceMute("b", false, true)).build());
    long videoMuted = c.receivedCount(b.videoSsrc());
    BridgeHarness.await(
        () -> {
          b.sendAudio(30);
          b.sendVideo(200, false);
          return c.receivedCount(b.audioSsrc()) > audioBefore;
        },
        WAIT,
        "b's audio at c once allowed again");
    long audioNow = c.receivedCount(b.audioSsrc());
    for (int i = 0; i < 10; i++) {
      b.sendVideo(200, false);
      b.sendAudio(30);
    }
    // b's packets are handled in order: once its later audio is in, its video was dropped
    BridgeHarness.await(
        () -> c.receivedCount(b.audioSsrc()) >= audioNow + 10, WAIT, "b's audio keeps flowing");
    assertThat(c.receivedCount(b.videoSsrc())).as("b's video while muted").isEqualTo(videoMuted);

    send(request().addEndpoint(forceMute("b", false, false)).build());
    BridgeHarness.await(
        () -> {
          b.sendVideo(200, true);
          return c.receivedCount(b.videoSsrc()) > videoMuted;
        },
        WAIT,
        "b's video at c once allowed again");
  }

  /** While an endpoint is force-muted its loud audio does not make it the dominant speaker. */
  @Test
  void forceMutedAudioDoesNotCountForTheDominantSpeaker() throws Exception {
    SyntheticEndpoint a = join("a");
    SyntheticEndpoint b = join("b");
    send(request().addEndpoint(forceMute("b", true, false)).build());
    long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < until) {
      a.sendAudio(70); // quiet speech
      b.sendAudio(0); // loud, but muted at the bridge
      Thread.sleep(20);
    }
    assertThat(dominantSpeakers).contains("a").doesNotContain("b");

    send(request().addEndpoint(forceMute("b", false, false)).build());
    BridgeHarness.await(
        () -> {
          a.sendAudio(70);
          b.sendAudio(0);
          return dominantSpeakers.contains("b");
        },
        WAIT,
        "b the dominant speaker once allowed to speak");
  }

  /**
   * Allocates an endpoint (create, then the update with its transport and sources) and connects.
   */
  private SyntheticEndpoint join(String id) throws Exception {
    SyntheticEndpoint endpoint = SyntheticEndpoint.create(id, SyntheticEndpoint.Options.loopback());
    endpoints.add(endpoint);
    ConferenceModifyIQ.Builder create = request();
    if (conferences.get(meetingId).isEmpty()) {
      create.setCreate(true).setConferenceName("colibri2-media@conference.meet.local");
    }
    IQ created = send(create.addEndpoint(SyntheticColibri2.create(id)).build());
    assertThat(created).as(created.toXML().toString()).isInstanceOf(ConferenceModifiedIQ.class);
    IceUdpTransportPacketExtension bridge =
        ((ConferenceModifiedIQ) created).getEndpoints().get(0).getTransport().getIceUdpTransport();

    IQ updated = send(request().addEndpoint(SyntheticColibri2.update(id, endpoint)).build());
    assertThat(updated).as(updated.toXML().toString()).isInstanceOf(ConferenceModifiedIQ.class);

    endpoint.connect(SyntheticColibri2.localIce(bridge), SyntheticColibri2.fingerprint(bridge));
    if (!endpoint.awaitConnected(WAIT)) {
      throw new AssertionError(id + " did not connect: " + endpoint.failure());
    }
    return endpoint;
  }

  /** Sends a request as XML and returns the answer parsed back from XML, as over XMPP. */
  private IQ send(ConferenceModifyIQ request) throws Exception {
    ConferenceModifyIQ iq =
        (ConferenceModifyIQ) PacketParserUtils.parseStanza(request.toXML().toString());
    IQ response = handler.handle(iq);
    return (IQ) PacketParserUtils.parseStanza(response.toXML().toString());
  }

  private ConferenceModifyIQ.Builder request() throws Exception {
    ConferenceModifyIQ.Builder b = ConferenceModifyIQ.builder("c2-" + ++iqs);
    b.from(JidCreate.from("jvbbrewery@internal.auth.meet.local/focus"));
    b.to(JidCreate.from("jvbbrewery@internal.auth.meet.local/bridge"));
    b.ofType(IQ.Type.get);
    return b.setMeetingId(meetingId);
  }

  private static Colibri2Endpoint forceMute(String id, boolean audio, boolean video) {
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(id);
    ep.setForceMute(audio, video);
    return ep.build();
  }

  private static Colibri2Endpoint expire(String id) {
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(id);
    ep.setExpire(true);
    return ep.build();
  }
}
