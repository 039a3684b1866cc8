package io.openmeet.focus.colibri;

import static org.assertj.core.api.Assertions.assertThat;

import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.sdp.DtlsFingerprint;
import io.openmeet.focus.sdp.IceCandidate;
import io.openmeet.focus.sdp.MediaKind;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.Setup;
import io.openmeet.focus.sdp.SsrcGroup;
import io.openmeet.focus.sdp.TransportDescription;
import io.openmeet.focus.xmpp.SmackSetup;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jitsi.xmpp.extensions.colibri2.Capability;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Endpoint;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifiedIQ;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jitsi.xmpp.extensions.colibri2.Media;
import org.jitsi.xmpp.extensions.jingle.DtlsFingerprintPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jitsi.xmpp.extensions.jingle.PayloadTypePacketExtension;
import org.jitsi.xmpp.extensions.jingle.RTPHdrExtPacketExtension;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Our requests against the ones a real JVB accepted, and the real JVB's answers and errors through
 * our reading, all parsed with the real Smack providers from the captured transcript.
 */
class Colibri2MessagesTest {

  private static final String BRIDGE = "jvbbrewery@internal.auth.meet.local/jvb-lab-1";
  private static final String MEETING = "78c7068d-8816-4184-a023-699bba3b5696";
  private static JvbTranscript transcript;
  private static Jid bridge;

  @BeforeAll
  static void load() throws Exception {
    SmackSetup.registerProviders();
    transcript = new JvbTranscript();
    bridge = JidCreate.from(BRIDGE);
  }

  private static Stanza parse(String xml) throws Exception {
    return PacketParserUtils.parseStanza(xml);
  }

  @Test
  void ourCreateRequestCarriesEverythingTheRealJvbAcceptedInItsCreate() throws Exception {
    ConferenceModifyIQ accepted = (ConferenceModifyIQ) parse(transcript.sent("create", 0));
    ConferenceModifyIQ ours =
        (ConferenceModifyIQ)
            parse(
                Colibri2Messages.createEndpoint(
                        ConferenceModifyIQ.builder("ours-1"),
                        bridge,
                        MEETING,
                        "sample-78c7068d@conference.invalid",
                        true,
                        "sample-ep1",
                        "sample-ep1-stats",
                        CodecSettings.defaults(false))
                    .toXML()
                    .toString());

    assertThat(ours.getType()).isEqualTo(IQ.Type.get).isEqualTo(accepted.getType());
    assertThat(ours.getTo().toString()).isEqualTo(accepted.getTo().toString());
    assertThat(ours.getMeetingId()).isEqualTo(accepted.getMeetingId());
    assertThat(ours.getConferenceName()).isEqualTo(accepted.getConferenceName());
    assertThat(ours.getCreate()).isTrue().isEqualTo(accepted.getCreate());

    Colibri2Endpoint ep = ours.getEndpoints().get(0);
    Colibri2Endpoint acceptedEp = accepted.getEndpoints().get(0);
    assertThat(ep.getId()).isEqualTo(acceptedEp.getId());
    assertThat(ep.getCreate()).isTrue();
    assertThat(ep.getStatsId()).isEqualTo(acceptedEp.getStatsId());
    assertThat(ep.getTransport().getIceControlling()).isTrue();
    assertThat(ep.getCapabilities())
        .extracting(Capability::getName)
        .contains(Capability.CAP_SOURCE_NAME_SUPPORT);
    Map<String, Media> ourMedia =
        ep.getMedia().stream()
            .collect(Collectors.toMap(m -> m.getType().toString(), Function.identity()));
    for (Media m : acceptedEp.getMedia()) {
      Media mine = ourMedia.get(m.getType().toString());
      assertThat(mine).as("media " + m.getType()).isNotNull();
      for (PayloadTypePacketExtension pt : m.getPayloadTypes()) {
        assertThat(mine.getPayloadTypes())
            .as("payload type " + pt.getID())
            .anySatisfy(
                p -> {
                  assertThat(p.getID()).isEqualTo(pt.getID());
                  assertThat(p.getName()).isEqualTo(pt.getName());
                  assertThat(p.getClockrate()).isEqualTo(pt.getClockrate());
                  assertThat(p.getChannels()).isEqualTo(pt.getChannels());
                  assertThat(params(p)).containsAll(params(pt));
                  assertThat(
                          p.getRtcpFeedbackTypeList().stream()
                              .map(f -> f.getFeedbackType() + " " + f.getFeedbackSubtype())
                              .toList())
                      .containsAll(
                          pt.getRtcpFeedbackTypeList().stream()
                              .map(f -> f.getFeedbackType() + " " + f.getFeedbackSubtype())
                              .toList());
                });
      }
      for (RTPHdrExtPacketExtension ext : m.getRtpHdrExts()) {
        assertThat(mine.getRtpHdrExts())
            .anySatisfy(
                e -> {
                  assertThat(e.getID()).isEqualTo(ext.getID());
                  assertThat(e.getURI()).isEqualTo(ext.getURI());
                });
      }
    }
  }

  @Test
  void aJoinToACreatedConferenceOmitsConferenceCreateAsTheAcceptedSecondEndpointDid()
      throws Exception {
    ConferenceModifyIQ accepted = (ConferenceModifyIQ) parse(transcript.sent("second-endpoint", 0));
    ConferenceModifyIQ ours =
        Colibri2Messages.createEndpoint(
            ConferenceModifyIQ.builder("ours-2"),
            bridge,
            MEETING,
            "ignored@conference.invalid",
            false,
            "sample-ep2",
            "sample-ep2-stats",
            CodecSettings.defaults(false));
    assertThat(ours.getCreate()).isFalse().isEqualTo(accepted.getCreate());
    assertThat(ours.getConferenceName()).isNull();
    assertThat(ours.getEndpoints().get(0).getCreate()).isTrue();
  }

  @Test
  void ourUpdateCarriesTheBrowsersTransportAndSourcesLikeTheAcceptedOne() throws Exception {
    ConferenceModifyIQ accepted =
        (ConferenceModifyIQ) parse(transcript.sent("update-transport-sources", 0));
    TransportDescription browser =
        new TransportDescription(
            "9659c53e",
            "31e36fa8f6a24646bc0b4d7c8ac41356",
            List.of(
                new DtlsFingerprint(
                    "sha-256",
                    "69:F2:BD:24:4C:DE:14:BA:A5:1B:E3:69:CA:06:A5:82:CF:2B:1C:AA:DC:ED:60:C7:1E:C5:72:A6:A3:C0:BF:01",
                    Setup.ACTIVE)),
            List.of(
                new IceCandidate(
                    "1", 1, "udp", 2130706431L, "127.0.0.1", 50000, "host", null, -1, null, 0),
                new IceCandidate(
                    "2", 1, "tcp", 1518214911L, "127.0.0.1", 9, "host", null, -1, "active", 0)));
    List<MediaSource> sources =
        List.of(
            MediaSource.of(
                MediaKind.AUDIO, "sample-ep1-a0", "sample-ep1", List.of(910641341L), List.of()),
            MediaSource.of(
                MediaKind.VIDEO,
                "sample-ep1-v0",
                "sample-ep1",
                List.of(47254694L, 1287713674L),
                List.of(new SsrcGroup("FID", List.of(47254694L, 1287713674L)))));
    ConferenceModifyIQ ours =
        (ConferenceModifyIQ)
            parse(
                Colibri2Messages.updateEndpoint(
                        ConferenceModifyIQ.builder("ours-3"),
                        bridge,
                        MEETING,
                        "sample-ep1",
                        browser,
                        sources)
                    .toXML()
                    .toString());

    Colibri2Endpoint ep = ours.getEndpoints().get(0);
    Colibri2Endpoint acceptedEp = accepted.getEndpoints().get(0);
    assertThat(ep.getCreate()).isFalse();
    IceUdpTransportPacketExtension ice = ep.getTransport().getIceUdpTransport();
    IceUdpTransportPacketExtension acceptedIce = acceptedEp.getTransport().getIceUdpTransport();
    assertThat(ice.getUfrag()).isEqualTo(acceptedIce.getUfrag());
    assertThat(ice.getPassword()).isEqualTo(acceptedIce.getPassword());
    assertThat(ice.isRtcpMux()).isTrue();
    DtlsFingerprintPacketExtension fp =
        ice.getFirstChildOfType(DtlsFingerprintPacketExtension.class);
    DtlsFingerprintPacketExtension acceptedFp =
        acceptedIce.getFirstChildOfType(DtlsFingerprintPacketExtension.class);
    assertThat(fp.getFingerprint()).isEqualTo(acceptedFp.getFingerprint());
    assertThat(fp.getSetup()).isEqualTo("active").isEqualTo(acceptedFp.getSetup());
    assertThat(fp.getHash()).isEqualTo(acceptedFp.getHash());
    // Only the UDP candidate goes to the bridge.
    assertThat(ice.getCandidateList()).hasSize(1);
    assertThat(ice.getCandidateList().get(0).getIP())
        .isEqualTo(acceptedIce.getCandidateList().get(0).getIP());
    assertThat(ice.getCandidateList().get(0).getPort()).isEqualTo(50000);
    assertThat(describe(ep.getSources())).isEqualTo(describe(acceptedEp.getSources()));
  }

  @Test
  void theRealJvbsCreateResponseBecomesAnAllocation() throws Exception {
    ConferenceModifiedIQ response = (ConferenceModifiedIQ) parse(transcript.received("create", 0));
    ColibriAllocation a = Colibri2Messages.allocation(response, "jvb-lab-1", "sample-ep1");

    assertThat(a.bridgeId()).isEqualTo("jvb-lab-1");
    assertThat(a.transport().ufrag()).isEqualTo("2920j1k8f214bs");
    assertThat(a.transport().pwd()).isEqualTo("389ctdji4o64alicke8rk1gc2d");
    assertThat(a.transport().fingerprints())
        .containsExactly(
            new DtlsFingerprint(
                "sha-256",
                "2E:87:C2:A6:DE:39:ED:32:8C:5E:8E:1C:BE:B8:F7:AB:6D:A1:87:FC:EF:47:B3:93:A9:5A:38:DB:FA:42:3A:5A",
                Setup.ACTPASS));
    assertThat(a.transport().candidates())
        .containsExactly(
            new IceCandidate(
                "1", 1, "udp", 2130706431L, "192.0.2.2", 10000, "host", null, -1, null, 0));
    assertThat(a.feedbackSources())
        .extracting(MediaSource::name, MediaSource::kind, MediaSource::primarySsrc)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("jvb-a0", MediaKind.AUDIO, 2368504129L),
            org.assertj.core.groups.Tuple.tuple("jvb-v0", MediaKind.VIDEO, 3958095278L));
    assertThat(a.webSocketUrl()).isEmpty();
  }

  @Test
  void anAnswerWithoutTheEndpointIsRefusedAsMalformed() throws Exception {
    ConferenceModifiedIQ response = (ConferenceModifiedIQ) parse(transcript.received("create", 0));
    ColibriRejectedException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            ColibriRejectedException.class,
            () -> Colibri2Messages.allocation(response, "jvb-lab-1", "someone-else"));
    ConferenceModifiedIQ echo =
        (ConferenceModifiedIQ) parse(transcript.received("update-transport-sources", 0));
    assertThat(
            org.assertj.core.api.Assertions.catchThrowableOfType(
                ColibriRejectedException.class,
                () -> Colibri2Messages.allocation(echo, "jvb-lab-1", "sample-ep1")))
        .hasMessageContaining("no ICE transport");
  }

  @Test
  void theRealJvbsErrorsMapToExceptionsThatSayWhatToDoNext() throws Exception {
    ColibriException duplicate = error("duplicate-create", 0, "sample-dup");
    assertThat(duplicate).isInstanceOf(ColibriRejectedException.class);
    assertThat(((ColibriRejectedException) duplicate).reason())
        .contains(Colibri2Error.Reason.CONFERENCE_ALREADY_EXISTS);
    assertThat(((ColibriRejectedException) duplicate).condition()).isEqualTo("conflict");

    ColibriException unknownEndpoint = error("unknown-endpoint", 0, "whoever");
    assertThat(unknownEndpoint).isInstanceOf(UnknownEndpointException.class);
    assertThat(((UnknownEndpointException) unknownEndpoint).endpointId()).isEqualTo("sample-ghost");

    ColibriException unknownConference = error("unknown-conference", 0, "sample-ep1");
    assertThat(unknownConference).isInstanceOf(ConferenceNotFoundException.class);
    assertThat(error("expire", 2, "sample-ep1")).isInstanceOf(ConferenceNotFoundException.class);

    ColibriException noCapability = error("missing-capability", 0, "sample-nocap");
    assertThat(noCapability).isInstanceOf(ColibriRejectedException.class);
    assertThat(((ColibriRejectedException) noCapability).condition()).isEqualTo("bad-request");
    assertThat(((ColibriRejectedException) noCapability).reason()).isEmpty();
    assertThat(noCapability.bridgeId()).isEqualTo("jvb-lab-1");
  }

  /** Sources as comparable text, independent of attribute order. */
  private static List<String> describe(org.jitsi.xmpp.extensions.colibri2.Sources sources) {
    return sources.getMediaSources().stream()
        .map(
            ms ->
                ms.getType()
                    + " "
                    + ms.getId()
                    + " "
                    + ms.getSources().stream().map(x -> x.getSSRC() + "/" + x.getName()).toList()
                    + " "
                    + ms.getSsrcGroups().stream()
                        .map(
                            g ->
                                g.getSemantics()
                                    + g.getSources().stream().map(x -> x.getSSRC()).toList())
                        .toList())
        .toList();
  }

  private static List<String> params(PayloadTypePacketExtension pt) {
    return pt.getParameters().stream().map(x -> x.getName() + "=" + x.getValue()).toList();
  }

  @Test
  void gracefulShutdownMeansElsewhereWithoutCondemningTheBridge() {
    StanzaError refusal =
        StanzaError.getBuilder(StanzaError.Condition.service_unavailable)
            .addExtension(new Colibri2Error(Colibri2Error.Reason.GRACEFUL_SHUTDOWN))
            .build();
    ColibriException e = Colibri2Messages.error(refusal, "jvb2", "ep1", null);
    assertThat(e).isInstanceOf(BridgeFailedException.class);
    assertThat(((BridgeFailedException) e).bridgeUnhealthy()).isFalse();

    ColibriException broken =
        Colibri2Messages.error(
            StanzaError.getBuilder(StanzaError.Condition.internal_server_error).build(),
            "jvb2",
            "ep1",
            null);
    assertThat(((BridgeFailedException) broken).bridgeUnhealthy()).isTrue();
  }

  private static ColibriException error(String check, int n, String endpointId) throws Exception {
    IQ iq = (IQ) parse(transcript.received(check, n));
    assertThat(iq.getType()).isEqualTo(IQ.Type.error);
    return Colibri2Messages.error(iq.getError(), "jvb-lab-1", endpointId, null);
  }
}
