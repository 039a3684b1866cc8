package io.openmeet.litebridge;

import static io.openmeet.litebridge.Colibri2Requests.createEndpoint;
import static io.openmeet.litebridge.Colibri2Requests.expireEndpoint;
import static io.openmeet.litebridge.Colibri2Requests.request;
import static io.openmeet.litebridge.Colibri2Requests.updateEndpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.litebridge.allocation.ReceiverVideoConstraints;
import io.openmeet.litebridge.allocation.VideoConstraints;
import io.openmeet.litebridge.config.BridgeConfig;
import io.openmeet.litebridge.media.MediaFormats;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jitsi.xmpp.extensions.colibri.WebSocketPacketExtension;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Endpoint;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Relay;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifiedIQ;
import org.jitsi.xmpp.extensions.colibri2.MediaSource;
import org.jitsi.xmpp.extensions.colibri2.Transport;
import org.jitsi.xmpp.extensions.health.HealthCheckIQ;
import org.jitsi.xmpp.extensions.jingle.DtlsFingerprintPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceRtcpmuxPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Colibri2 conformance over the real Prosody: a jicofo-shaped client in the brewery drives every
 * request form at an in-process lite-bridge and checks the answers against JVB's behaviour.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Colibri2OverXmppTest {
  private final String brewery = TestEnv.uniqueBrewery();
  private final String nickname = TestEnv.random("bridge-");
  private RecordingMediaEngine engine;
  private LiteBridge bridge;
  private FocusClient focus;
  private Jid bridgeJid;

  @BeforeAll
  void start() throws Exception {
    engine = new RecordingMediaEngine();
    BridgeConfig config = BridgeConfig.load(TestEnv.bridgeOverrides(brewery, nickname));
    bridge = new LiteBridge(config, engine, Clock.systemUTC(), () -> 0.0).start();
    focus = new FocusClient(brewery);
    focus.awaitStats(nickname, s -> true, Duration.ofSeconds(15));
    bridgeJid = focus.occupant(nickname);
  }

  @AfterAll
  void stop() {
    if (focus != null) {
      focus.close();
    }
    if (bridge != null) {
      bridge.close();
    }
  }

  private static String meetingId() {
    return UUID.randomUUID().toString();
  }

  private IQ create(String meetingId, String endpointId) throws Exception {
    return focus.request(
        request(bridgeJid, meetingId)
            .setConferenceName("room-" + meetingId.substring(0, 8) + "@conference.meet.local")
            .setCreate(true)
            .addEndpoint(createEndpoint(endpointId, true))
            .build());
  }

  private static void assertColibri2Error(
      IQ response, StanzaError.Condition condition, Colibri2Error.Reason reason) {
    assertThat(response.getType()).as(response.toXML().toString()).isEqualTo(IQ.Type.error);
    assertThat(response.getError().getCondition()).isEqualTo(condition);
    Colibri2Error c2 =
        response.getError().getExtension(Colibri2Error.ELEMENT, Colibri2Error.NAMESPACE);
    if (reason == null) {
      assertThat(c2).isNull();
    } else {
      assertThat(c2).isNotNull();
      assertThat(c2.getReason()).isEqualTo(reason);
    }
  }

  @Test
  void createAnswersWithTransportWebSocketAndFeedbackSources() throws Exception {
    String meetingId = meetingId();
    IQ response = create(meetingId, "ep1");

    assertThat(response).as(response.toXML().toString()).isInstanceOf(ConferenceModifiedIQ.class);
    ConferenceModifiedIQ modified = (ConferenceModifiedIQ) response;
    assertThat(modified.getEndpoints()).hasSize(1);
    Colibri2Endpoint ep = modified.getEndpoints().get(0);
    assertThat(ep.getId()).isEqualTo("ep1");
    IceUdpTransportPacketExtension t = ep.getTransport().getIceUdpTransport();
    RecordingMediaEngine.RecordingTransport media =
        engine.conferences.get(meetingId).endpoints.get("ep1");
    assertThat(t.getUfrag()).isEqualTo(media.ice.ufrag());
    assertThat(t.getPassword()).isEqualTo(media.ice.password());
    assertThat(t.getChildExtensionsOfType(IceRtcpmuxPacketExtension.class)).hasSize(1);
    assertThat(t.getCandidateList())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getIP()).isEqualTo("127.0.0.1");
              assertThat(c.getPort()).isEqualTo(10000);
              assertThat(c.getType().toString()).isEqualTo("host");
              assertThat(c.getProtocol()).isEqualTo("udp");
            });
    DtlsFingerprintPacketExtension fp = t.getFirstChildOfType(DtlsFingerprintPacketExtension.class);
    assertThat(fp.getSetup()).isEqualTo("actpass");
    assertThat(fp.getHash()).isEqualTo("sha-256");
    assertThat(fp.getFingerprint()).isEqualTo(engine.fingerprint.value());
    WebSocketPacketExtension ws = t.getFirstChildOfType(WebSocketPacketExtension.class);
    assertThat(ws.getUrl())
        .matches(
            "ws://127\\.0\\.0\\.1:"
                + bridge.restPort()
                + "/colibri-ws/default-id/"
                + meetingId
                + "/ep1\\?pwd=[a-z0-9]{24}");
    assertThat(ws.getUrl()).doesNotContain(media.ice.password());

    List<MediaSource> feedback = modified.getSources().getMediaSources();
    assertThat(feedback).extracting(MediaSource::getId).containsExactly("jvb-a0", "jvb-v0");
    assertThat(feedback.get(0).getSources().get(0).getSSRC())
        .isEqualTo(engine.conferences.get(meetingId).feedback.get(0).ssrcs().get(0));

    // The endpoint's <media> reached the media plane.
    MediaFormats formats = media.formats;
    assertThat(formats.payloadTypes())
        .extracting(MediaFormats.PayloadType::id)
        .containsExactly(111, 100, 96);
    assertThat(formats.rtxPayloadTypes()).containsEntry(96, 100);
    assertThat(formats.headerExtensions()).containsKeys(1, 3, 5);
  }

  @Test
  void createOnAnExistingMeetingIdIsAConflict() throws Exception {
    String meetingId = meetingId();
    create(meetingId, "ep1");
    IQ again = create(meetingId, "dup");
    assertColibri2Error(
        again, StanzaError.Condition.conflict, Colibri2Error.Reason.CONFERENCE_ALREADY_EXISTS);
    assertThat(again.getError().getType()).isEqualTo(StanzaError.Type.CANCEL);
    assertThat(engine.conferences.get(meetingId).endpoints).doesNotContainKey("dup");
  }

  @Test
  void updateCarriesTransportAndSourcesAndEchoesOnlyTheEndpointId() throws Exception {
    String meetingId = meetingId();
    create(meetingId, "ep1");
    IQ response =
        focus.request(
            request(bridgeJid, meetingId)
                .addEndpoint(updateEndpoint("ep1", 910641341L, 47254694L, 1287713674L))
                .build());
    ConferenceModifiedIQ modified = (ConferenceModifiedIQ) response;
    assertThat(modified.getEndpoints())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getId()).isEqualTo("ep1");
              assertThat(e.getTransport()).isNull();
              assertThat(e.getSources()).isNull();
            });
    assertThat(modified.getSources()).isNull();

    RecordingMediaEngine.RecordingTransport media =
        engine.conferences.get(meetingId).endpoints.get("ep1");
    assertThat(media.remote.ufrag()).isEqualTo("9659c53e");
    assertThat(media.remote.candidates())
        .singleElement()
        .satisfies(c -> assertThat(c.port()).isEqualTo(50000));
    assertThat(media.remote.fingerprints())
        .singleElement()
        .satisfies(f -> assertThat(f.setup()).isEqualTo("active"));
    assertThat(media.sources).hasSize(2);
    assertThat(media.sources.get(1).groups())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.semantics()).isEqualTo("FID");
              assertThat(g.ssrcs()).containsExactly(47254694L, 1287713674L);
            });
  }

  @Test
  void unknownEndpointIsItemNotFoundButExpiringItIsFine() throws Exception {
    String meetingId = meetingId();
    create(meetingId, "ep1");
    IQ response =
        focus.request(
            request(bridgeJid, meetingId).addEndpoint(updateEndpoint("ghost", 1, 2, 3)).build());
    assertColibri2Error(
        response, StanzaError.Condition.item_not_found, Colibri2Error.Reason.UNKNOWN_ENDPOINT);
    Colibri2Endpoint named =
        response.getError().getExtension(Colibri2Endpoint.ELEMENT, Colibri2Endpoint.NAMESPACE);
    assertThat(named.getId()).isEqualTo("ghost");

    IQ expire =
        focus.request(request(bridgeJid, meetingId).addEndpoint(expireEndpoint("ghost")).build());
    assertThat(expire.getType()).isEqualTo(IQ.Type.result);
    assertThat(((ConferenceModifiedIQ) expire).getEndpoints())
        .singleElement()
        .satisfies(e -> assertThat(e.getExpire()).isTrue());
  }

  @Test
  void unknownConferenceIsConferenceNotFound() throws Exception {
    IQ response =
        focus.request(
            request(bridgeJid, meetingId()).addEndpoint(updateEndpoint("ep1", 1, 2, 3)).build());
    assertColibri2Error(
        response, StanzaError.Condition.item_not_found, Colibri2Error.Reason.CONFERENCE_NOT_FOUND);
  }

  @Test
  void endpointWithoutSourceNamesIsABadRequestAndCreatesNothing() throws Exception {
    String meetingId = meetingId();
    IQ response =
        focus.request(
            request(bridgeJid, meetingId)
                .setCreate(true)
                .addEndpoint(createEndpoint("nocap", false))
                .build());
    assertColibri2Error(response, StanzaError.Condition.bad_request, null);
    assertThat(bridge.conferences().get(meetingId)).isEmpty();
  }

  @Test
  void secondEndpointGetsItsOwnIceButTheBridgesFingerprintAndFeedbackSources() throws Exception {
    String meetingId = meetingId();
    ConferenceModifiedIQ first = (ConferenceModifiedIQ) create(meetingId, "ep1");
    ConferenceModifiedIQ second =
        (ConferenceModifiedIQ)
            focus.request(
                request(bridgeJid, meetingId).addEndpoint(createEndpoint("ep2", true)).build());
    IceUdpTransportPacketExtension t1 =
        first.getEndpoints().get(0).getTransport().getIceUdpTransport();
    IceUdpTransportPacketExtension t2 =
        second.getEndpoints().get(0).getTransport().getIceUdpTransport();
    assertThat(t2.getUfrag()).isNotEqualTo(t1.getUfrag());
    assertThat(t2.getFirstChildOfType(DtlsFingerprintPacketExtension.class).getFingerprint())
        .isEqualTo(t1.getFirstChildOfType(DtlsFingerprintPacketExtension.class).getFingerprint());
    assertThat(second.getSources().toXML().toString())
        .isEqualTo(first.getSources().toXML().toString());
  }

  @Test
  void expireEndpointThenConferenceThenTheConferenceIsGone() throws Exception {
    String meetingId = meetingId();
    create(meetingId, "ep1");
    focus.request(request(bridgeJid, meetingId).addEndpoint(createEndpoint("ep2", true)).build());

    IQ expireEp =
        focus.request(request(bridgeJid, meetingId).addEndpoint(expireEndpoint("ep2")).build());
    assertThat(expireEp.getType()).isEqualTo(IQ.Type.result);
    assertThat(engine.conferences.get(meetingId).endpoints.get("ep2").closed).isTrue();

    IQ expireConf = focus.request(request(bridgeJid, meetingId).setExpire(true).build());
    assertThat(expireConf).isInstanceOf(ConferenceModifiedIQ.class);
    assertThat(((ConferenceModifiedIQ) expireConf).getEndpoints()).isEmpty();
    assertThat(((ConferenceModifiedIQ) expireConf).getSources()).isNull();
    assertThat(engine.conferences.get(meetingId).closed).isTrue();
    assertThat(engine.conferences.get(meetingId).endpoints.get("ep1").closed).isTrue();

    IQ after =
        focus.request(
            request(bridgeJid, meetingId).addEndpoint(updateEndpoint("ep1", 1, 2, 3)).build());
    assertColibri2Error(
        after, StanzaError.Condition.item_not_found, Colibri2Error.Reason.CONFERENCE_NOT_FOUND);
  }

  @Test
  void initialLastNZeroStartsTheEndpointWithoutVideoUntilItsConstraintsSayOtherwise()
      throws Exception {
    String meetingId = meetingId();
    var create = request(bridgeJid, meetingId).setCreate(true);
    create.addEndpoint(createEndpoint("sender", true));
    assertThat(focus.request(create.build())).isInstanceOf(ConferenceModifiedIQ.class);
    assertThat(
            focus.request(
                request(bridgeJid, meetingId)
                    .addEndpoint(updateEndpoint("sender", 11, 12, 13))
                    .build()))
        .isInstanceOf(ConferenceModifiedIQ.class);
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId("audio-only");
    ep.setCreate(true);
    ep.addCapability(org.jitsi.xmpp.extensions.colibri2.Capability.CAP_SOURCE_NAME_SUPPORT);
    ep.setTransport(Transport.getBuilder().setIceControlling(true).build());
    ep.setInitialLastN(0);
    assertThat(focus.request(request(bridgeJid, meetingId).addEndpoint(ep.build()).build()))
        .isInstanceOf(ConferenceModifiedIQ.class);
    var allocation = bridge.conferences().get(meetingId).orElseThrow().allocation();
    var everything =
        new ReceiverVideoConstraints(null, null, null, VideoConstraints.ofHeight(720), null);

    // constraints without lastN keep the initial lastN 0 (JVB); one with lastN replaces it
    allocation.receiverConstraints("audio-only", everything);
    assertThat(allocation.current().forwardedSources("audio-only")).isEmpty();
    assertThat(engine.conferences.get(meetingId).endpoints.get("audio-only").forwardedVideo)
        .isEmpty();
    allocation.receiverConstraints("audio-only", ReceiverVideoConstraints.lastNOnly(-1));
    assertThat(allocation.current().forwardedSources("audio-only")).containsExactly("sender-v0");
    assertThat(engine.conferences.get(meetingId).endpoints.get("audio-only").forwardedVideo)
        .containsExactly("sender-v0");
  }

  @Test
  void forceMuteReachesTheEndpointsMediaInACreateAndInABatchThatAlsoNamesAGoneEndpoint()
      throws Exception {
    String meetingId = meetingId();
    var create = request(bridgeJid, meetingId).setCreate(true);
    Colibri2Endpoint.Builder muted = Colibri2Endpoint.getBuilder();
    muted.setId("muted-at-create");
    muted.setCreate(true);
    muted.addCapability(org.jitsi.xmpp.extensions.colibri2.Capability.CAP_SOURCE_NAME_SUPPORT);
    muted.setTransport(Transport.getBuilder().setIceControlling(true).build());
    muted.setForceMute(true, false);
    create.addEndpoint(muted.build());
    assertThat(focus.request(create.build())).isInstanceOf(ConferenceModifiedIQ.class);
    assertThat(
            focus.request(
                request(bridgeJid, meetingId).addEndpoint(createEndpoint("ep2", true)).build()))
        .isInstanceOf(ConferenceModifiedIQ.class);
    var endpoints = engine.conferences.get(meetingId).endpoints;
    assertThat(endpoints.get("muted-at-create").forceMute).containsExactly(true, false);
    assertThat(endpoints.get("ep2").forceMute).isNull();

    var batch = request(bridgeJid, meetingId);
    for (String id : List.of("muted-at-create", "ep2", "gone")) {
      Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
      ep.setId(id);
      ep.setForceMute(false, true);
      batch.addEndpoint(ep.build());
    }
    assertThat(focus.request(batch.build())).isInstanceOf(ConferenceModifiedIQ.class);
    assertThat(endpoints.get("muted-at-create").forceMute).containsExactly(false, true);
    assertThat(endpoints.get("ep2").forceMute).containsExactly(false, true);
    assertThat(endpoints).doesNotContainKey("gone");
  }

  @Test
  void typeSetIsHandledLikeGet() throws Exception {
    String meetingId = meetingId();
    var b =
        request(bridgeJid, meetingId)
            .setCreate(true)
            .setConferenceName("set@conference.meet.local")
            .addEndpoint(createEndpoint("ep1", true));
    b.ofType(IQ.Type.set);
    assertThat(focus.request(b.build())).isInstanceOf(ConferenceModifiedIQ.class);
  }

  @Test
  void malformedRequestsAreRejectedAndTheBridgeKeepsServing() throws Exception {
    // A conference name that is not a bare JID.
    IQ notBare =
        focus.request(
            request(bridgeJid, meetingId())
                .setCreate(true)
                .setConferenceName("room@conference.meet.local/res")
                .addEndpoint(createEndpoint("ep1", true))
                .build());
    assertColibri2Error(notBare, StanzaError.Condition.bad_request, null);

    // A blank meeting-id.
    IQ blank = focus.request(new RawIq(bridgeJid, " ", ""));
    assertColibri2Error(blank, StanzaError.Condition.bad_request, null);

    // Relays are not implemented; mixing relays and endpoints is a bad request.
    Colibri2Relay.Builder relay = Colibri2Relay.getBuilder();
    relay.setId("relay-1");
    relay.setCreate(true);
    IQ relays =
        focus.request(
            request(bridgeJid, meetingId()).setCreate(true).addRelay(relay.build()).build());
    assertColibri2Error(
        relays,
        StanzaError.Condition.feature_not_implemented,
        Colibri2Error.Reason.FEATURE_NOT_IMPLEMENTED);
    IQ mixed =
        focus.request(
            request(bridgeJid, meetingId())
                .setCreate(true)
                .addRelay(relay.build())
                .addEndpoint(createEndpoint("ep1", true))
                .build());
    assertColibri2Error(mixed, StanzaError.Condition.bad_request, null);

    // Two endpoints created in one request.
    IQ two =
        focus.request(
            request(bridgeJid, meetingId())
                .setCreate(true)
                .addEndpoint(createEndpoint("a", true))
                .addEndpoint(createEndpoint("b", true))
                .build());
    assertColibri2Error(two, StanzaError.Condition.bad_request, null);

    // An endpoint create without <transport>.
    Colibri2Endpoint.Builder noTransport = Colibri2Endpoint.getBuilder();
    noTransport.setId("nt");
    noTransport.setCreate(true);
    noTransport.addCapability(
        org.jitsi.xmpp.extensions.colibri2.Capability.CAP_SOURCE_NAME_SUPPORT);
    IQ missingTransport =
        focus.request(
            request(bridgeJid, meetingId())
                .setCreate(true)
                .addEndpoint(noTransport.build())
                .build());
    assertColibri2Error(missingTransport, StanzaError.Condition.bad_request, null);

    // ICE restart is not implemented.
    String meetingId = meetingId();
    create(meetingId, "ep1");
    Colibri2Endpoint.Builder restart = Colibri2Endpoint.getBuilder();
    restart.setId("ep1");
    restart.setTransport(Transport.getBuilder().setIceRestart(true).build());
    IQ iceRestart =
        focus.request(request(bridgeJid, meetingId).addEndpoint(restart.build()).build());
    assertColibri2Error(
        iceRestart,
        StanzaError.Condition.feature_not_implemented,
        Colibri2Error.Reason.FEATURE_NOT_IMPLEMENTED);

    // Hand-written XML the builders would never produce: a non-numeric payload-type id and
    // header-extension id.
    IQ garbage =
        focus.request(
            new RawIq(
                bridgeJid,
                meetingId,
                "<endpoint id='ep1'><media type='audio'>"
                    + "<rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='x' uri='u:v'/>"
                    + "</media></endpoint>"));
    assertThat(garbage.getType()).isEqualTo(IQ.Type.error);
    assertThat(garbage.getError().getCondition()).isEqualTo(StanzaError.Condition.bad_request);

    // Nothing of the rejected requests was kept, and the bridge still answers.
    assertThat(bridge.conferences().get(meetingId).orElseThrow().endpoints()).hasSize(1);
    assertThat(create(meetingId(), "ok")).isInstanceOf(ConferenceModifiedIQ.class);
  }

  @Test
  void healthCheckIsAnswered() throws Exception {
    HealthCheckIQ health = new HealthCheckIQ();
    health.setTo(bridgeJid);
    health.setType(IQ.Type.get);
    assertThat(focus.request(health).getType()).isEqualTo(IQ.Type.result);
  }

  @Test
  void colibri2OutsideTheBreweryIsRefused() throws Exception {
    Jid direct =
        JidCreate.from(
            TestEnv.require("JVB_USER")
                + "@"
                + TestEnv.require("XMPP_AUTH_DOMAIN")
                + "/"
                + nickname);
    var b = request(direct, meetingId()).setCreate(true).addEndpoint(createEndpoint("ep1", true));
    IQ response = focus.request(b.build());
    assertThat(response.getType()).isEqualTo(IQ.Type.error);
    assertThat(response.getError().getCondition()).isEqualTo(StanzaError.Condition.forbidden);
  }

  /** A conference-modify with hand-written content, as no builder would produce it. */
  private static final class RawIq extends IQ {
    private final String meetingId;
    private final String inner;

    RawIq(Jid to, String meetingId, String inner) {
      super("conference-modify", "jitsi:colibri2");
      this.meetingId = meetingId;
      this.inner = inner;
      setTo(to);
      setType(IQ.Type.get);
      setStanzaId(TestEnv.random("raw-"));
    }

    @Override
    protected IQChildElementXmlStringBuilder getIQChildElementBuilder(
        IQChildElementXmlStringBuilder xml) {
      xml.attribute("meeting-id", meetingId);
      xml.rightAngleBracket();
      xml.append(inner);
      return xml;
    }
  }
}
