package io.openmeet.focus.colibri;

import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.sdp.DtlsFingerprint;
import io.openmeet.focus.sdp.HeaderExtension;
import io.openmeet.focus.sdp.IceCandidate;
import io.openmeet.focus.sdp.MediaKind;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.PayloadType;
import io.openmeet.focus.sdp.Setup;
import io.openmeet.focus.sdp.SsrcGroup;
import io.openmeet.focus.sdp.TransportDescription;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jitsi.utils.MediaType;
import org.jitsi.xmpp.extensions.colibri.SourcePacketExtension;
import org.jitsi.xmpp.extensions.colibri.WebSocketPacketExtension;
import org.jitsi.xmpp.extensions.colibri2.Capability;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Endpoint;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifiedIQ;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jitsi.xmpp.extensions.colibri2.Media;
import org.jitsi.xmpp.extensions.colibri2.Sources;
import org.jitsi.xmpp.extensions.colibri2.Transport;
import org.jitsi.xmpp.extensions.jingle.CandidatePacketExtension;
import org.jitsi.xmpp.extensions.jingle.CandidateType;
import org.jitsi.xmpp.extensions.jingle.DtlsFingerprintPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceCandidatePacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceRtcpmuxPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jitsi.xmpp.extensions.jingle.ParameterPacketExtension;
import org.jitsi.xmpp.extensions.jingle.PayloadTypePacketExtension;
import org.jitsi.xmpp.extensions.jingle.RTPHdrExtPacketExtension;
import org.jitsi.xmpp.extensions.jingle.RtcpFbPacketExtension;
import org.jitsi.xmpp.extensions.jingle.SourceGroupPacketExtension;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jxmpp.jid.Jid;

/**
 * Builds jicofo-shaped Colibri2 requests from our SDP-level types, reads responses back into them,
 * and maps error answers to {@link ColibriException}s. No network here.
 */
public final class Colibri2Messages {

  private Colibri2Messages() {}

  /**
   * A request creating one endpoint with media, {@code <transport ice-controlling='true'/>} and the
   * {@code source-names} capability, and the conference too when {@code createConference}.
   */
  public static ConferenceModifyIQ createEndpoint(
      ConferenceModifyIQ.Builder request,
      Jid bridge,
      String meetingId,
      String conferenceName,
      boolean createConference,
      String endpointId,
      String statsId,
      CodecSettings codecs) {
    prepare(request, bridge, meetingId);
    if (createConference) {
      request.setConferenceName(conferenceName).setCreate(true);
    }
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(endpointId);
    ep.setCreate(true);
    ep.setStatsId(statsId);
    ep.addMedia(media(MediaKind.AUDIO, codecs));
    ep.addMedia(media(MediaKind.VIDEO, codecs));
    // The browser is told the bridge controls ICE; the two must agree.
    ep.setTransport(Transport.getBuilder().setIceControlling(true).build());
    ep.addCapability(Capability.CAP_SOURCE_NAME_SUPPORT);
    request.addEndpoint(ep.build());
    return request.build();
  }

  /** A request sending the participant's transport and its sources (replacing earlier ones). */
  public static ConferenceModifyIQ updateEndpoint(
      ConferenceModifyIQ.Builder request,
      Jid bridge,
      String meetingId,
      String endpointId,
      TransportDescription transport,
      List<MediaSource> sources) {
    return modifyEndpoint(
        request,
        bridge,
        meetingId,
        endpointId,
        ep -> {
          ep.setTransport(Transport.getBuilder().setIceUdpExtension(iceUdp(transport)).build());
          ep.setSources(sources(sources));
        });
  }

  /**
   * A request adding trickled candidates to an endpoint's transport (ufrag, pwd and candidates; no
   * sources element, so the endpoint's sources are left as they are).
   */
  public static ConferenceModifyIQ addCandidates(
      ConferenceModifyIQ.Builder request,
      Jid bridge,
      String meetingId,
      String endpointId,
      TransportDescription transport) {
    return modifyEndpoint(
        request,
        bridge,
        meetingId,
        endpointId,
        ep ->
            ep.setTransport(Transport.getBuilder().setIceUdpExtension(iceUdp(transport)).build()));
  }

  /**
   * A request setting an endpoint's force-mute, as jicofo sends it for a moderator's mute: the
   * bridge drops what the endpoint sends of each muted type until it is cleared.
   */
  public static ConferenceModifyIQ forceMute(
      ConferenceModifyIQ.Builder request,
      Jid bridge,
      String meetingId,
      String endpointId,
      boolean audio,
      boolean video) {
    return modifyEndpoint(
        request, bridge, meetingId, endpointId, ep -> ep.setForceMute(audio, video));
  }

  /** A request changing one endpoint as {@code change} sets it on the endpoint's builder. */
  private static ConferenceModifyIQ modifyEndpoint(
      ConferenceModifyIQ.Builder request,
      Jid bridge,
      String meetingId,
      String endpointId,
      java.util.function.Consumer<Colibri2Endpoint.Builder> change) {
    prepare(request, bridge, meetingId);
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(endpointId);
    change.accept(ep);
    request.addEndpoint(ep.build());
    return request.build();
  }

  /** A request expiring one endpoint. */
  public static ConferenceModifyIQ expireEndpoint(
      ConferenceModifyIQ.Builder request, Jid bridge, String meetingId, String endpointId) {
    return modifyEndpoint(request, bridge, meetingId, endpointId, ep -> ep.setExpire(true));
  }

  /** A request expiring the whole conference. */
  public static ConferenceModifyIQ expireConference(
      ConferenceModifyIQ.Builder request, Jid bridge, String meetingId) {
    prepare(request, bridge, meetingId);
    request.setExpire(true);
    return request.build();
  }

  private static void prepare(ConferenceModifyIQ.Builder request, Jid bridge, String meetingId) {
    if (meetingId == null || meetingId.isBlank()) {
      throw new IllegalArgumentException("a Colibri2 meeting id must not be blank");
    }
    request.to(bridge);
    request.ofType(IQ.Type.get); // as jicofo; JVB answers get and set alike
    request.setMeetingId(meetingId);
  }

  /**
   * Reads the allocation for {@code endpointId} from a response.
   *
   * @throws ColibriRejectedException when the response lacks the endpoint or its ICE transport
   */
  public static ColibriAllocation allocation(
      ConferenceModifiedIQ response, String bridgeId, String endpointId)
      throws ColibriRejectedException {
    Colibri2Endpoint ep =
        response.getEndpoints().stream()
            .filter(e -> endpointId.equals(e.getId()))
            .findFirst()
            .orElseThrow(() -> malformed(bridgeId, "no endpoint " + endpointId));
    IceUdpTransportPacketExtension ice =
        ep.getTransport() == null ? null : ep.getTransport().getIceUdpTransport();
    if (ice == null || ice.getUfrag() == null || ice.getPassword() == null) {
      throw malformed(bridgeId, "no ICE transport for endpoint " + endpointId);
    }
    List<DtlsFingerprint> fingerprints = new ArrayList<>();
    for (DtlsFingerprintPacketExtension fp :
        ice.getChildExtensionsOfType(DtlsFingerprintPacketExtension.class)) {
      if (fp.getHash() == null || fp.getFingerprint() == null) {
        throw malformed(bridgeId, "a fingerprint without hash or value");
      }
      fingerprints.add(
          new DtlsFingerprint(
              fp.getHash(),
              fp.getFingerprint().strip(),
              Setup.fromToken(String.valueOf(fp.getSetup())).orElse(Setup.ACTPASS)));
    }
    if (fingerprints.isEmpty()) {
      throw malformed(bridgeId, "no DTLS fingerprint for endpoint " + endpointId);
    }
    List<IceCandidate> candidates = new ArrayList<>();
    for (CandidatePacketExtension c : ice.getCandidateList()) {
      candidates.add(
          new IceCandidate(
              String.valueOf(c.getFoundation()),
              c.getComponent(),
              String.valueOf(c.getProtocol()).toLowerCase(Locale.ROOT),
              Integer.toUnsignedLong(c.getPriority()),
              String.valueOf(c.getIP()),
              c.getPort(),
              c.getType() == null ? "host" : c.getType().toString(),
              c.getRelAddr(),
              c.getRelAddr() == null ? -1 : c.getRelPort(),
              c.getTcpType(),
              c.getGeneration()));
    }
    Optional<String> webSocket =
        ice.getChildExtensionsOfType(WebSocketPacketExtension.class).stream()
            .map(WebSocketPacketExtension::getUrl)
            .filter(u -> u != null && !u.isBlank())
            .findFirst();
    return new ColibriAllocation(
        bridgeId,
        new TransportDescription(ice.getUfrag(), ice.getPassword(), fingerprints, candidates),
        feedbackSources(response.getSources()),
        webSocket);
  }

  /**
   * The exception for an error answer.
   *
   * @param endpointId the endpoint the request was about, for {@link UnknownEndpointException}
   */
  public static ColibriException error(
      StanzaError error, String bridgeId, String endpointId, Throwable cause) {
    Colibri2Error colibri = error.getExtension(Colibri2Error.ELEMENT, Colibri2Error.NAMESPACE);
    Colibri2Error.Reason reason = colibri == null ? null : colibri.getReason();
    String condition = error.getCondition().toString();
    String what =
        "bridge "
            + bridgeId
            + " answered "
            + condition
            + (reason == null ? "" : " (" + reason + ")");
    if (reason == Colibri2Error.Reason.CONFERENCE_NOT_FOUND) {
      return new ConferenceNotFoundException(what, bridgeId, cause);
    }
    if (reason == Colibri2Error.Reason.UNKNOWN_ENDPOINT) {
      Colibri2Endpoint named =
          error.getExtension(Colibri2Endpoint.ELEMENT, Colibri2Endpoint.NAMESPACE);
      String id = named != null && named.getId() != null ? named.getId() : endpointId;
      return new UnknownEndpointException(what, bridgeId, id, cause);
    }
    if (reason == Colibri2Error.Reason.GRACEFUL_SHUTDOWN) {
      return new BridgeFailedException(what, bridgeId, false, cause);
    }
    if (error.getCondition() == StanzaError.Condition.service_unavailable
        || error.getCondition() == StanzaError.Condition.internal_server_error
        || error.getCondition() == StanzaError.Condition.remote_server_timeout
        || error.getCondition() == StanzaError.Condition.recipient_unavailable) {
      return new BridgeFailedException(what, bridgeId, cause);
    }
    return new ColibriRejectedException(what, bridgeId, condition, reason, cause);
  }

  private static ColibriRejectedException malformed(String bridgeId, String what) {
    return new ColibriRejectedException(
        "bridge " + bridgeId + " answered without what was asked: " + what,
        bridgeId,
        "malformed-response",
        null,
        null);
  }

  /** The bridge's own sources; msid as jicofo gives them ({@code mixedmslabel}). */
  static List<MediaSource> feedbackSources(Sources sources) {
    List<MediaSource> result = new ArrayList<>();
    if (sources == null) {
      return result;
    }
    for (var ms : sources.getMediaSources()) {
      MediaKind kind = ms.getType() == MediaType.AUDIO ? MediaKind.AUDIO : MediaKind.VIDEO;
      List<Long> ssrcs = ms.getSources().stream().map(SourcePacketExtension::getSSRC).toList();
      if (ssrcs.isEmpty() || ms.getId() == null) {
        continue;
      }
      result.add(
          new MediaSource(
              kind,
              ms.getId(),
              "jvb",
              ssrcs,
              List.of(),
              "mixedmslabel",
              "mixedlabel" + kind.token() + "0"));
    }
    return result;
  }

  static Media media(MediaKind kind, CodecSettings codecs) {
    Media.Builder media =
        Media.getBuilder().setType(kind == MediaKind.AUDIO ? MediaType.AUDIO : MediaType.VIDEO);
    for (PayloadType pt : codecs.payloadTypes(kind)) {
      PayloadTypePacketExtension ext = new PayloadTypePacketExtension();
      ext.setId(pt.id());
      ext.setName(pt.name());
      ext.setClockrate(pt.clockRate());
      if (pt.channels() > 1) {
        ext.setChannels(pt.channels());
      }
      pt.parameters().forEach((k, v) -> ext.addParameter(new ParameterPacketExtension(k, v)));
      for (PayloadType.RtcpFeedback fb : pt.feedback()) {
        RtcpFbPacketExtension rtcpFb = new RtcpFbPacketExtension();
        rtcpFb.setFeedbackType(fb.type());
        if (fb.subtype() != null) {
          rtcpFb.setFeedbackSubtype(fb.subtype());
        }
        ext.addRtcpFeedbackType(rtcpFb);
      }
      media.addPayloadType(ext);
    }
    for (HeaderExtension h : codecs.extensions(kind)) {
      RTPHdrExtPacketExtension ext = new RTPHdrExtPacketExtension();
      ext.setID(Integer.toString(h.id()));
      ext.setURI(URI.create(h.uri()));
      media.addRtpHdrExt(ext);
    }
    return media.build();
  }

  static IceUdpTransportPacketExtension iceUdp(TransportDescription t) {
    IceUdpTransportPacketExtension ice = new IceUdpTransportPacketExtension();
    ice.setUfrag(t.ufrag());
    ice.setPassword(t.pwd());
    ice.addChildExtension(new IceRtcpmuxPacketExtension());
    for (DtlsFingerprint fp : t.fingerprints()) {
      DtlsFingerprintPacketExtension ext = new DtlsFingerprintPacketExtension();
      ext.setHash(fp.hash());
      ext.setFingerprint(fp.value());
      ext.setSetup(fp.setup().token());
      ice.addChildExtension(ext);
    }
    int n = 0;
    for (IceCandidate c : t.candidates()) {
      if (!"udp".equals(c.protocol())) {
        continue; // bridges take media over UDP; a browser's active TCP candidates lead nowhere
      }
      IceCandidatePacketExtension ext = new IceCandidatePacketExtension();
      ext.setID("c" + n++);
      ext.setFoundation(c.foundation());
      ext.setComponent(c.component());
      ext.setProtocol(c.protocol());
      ext.setPriority(c.priority());
      ext.setIP(c.address());
      ext.setPort(c.port());
      ext.setType(CandidateType.valueOf(c.type()));
      ext.setGeneration(c.generation());
      ext.setNetwork(0);
      if (c.relatedAddress() != null) {
        ext.setRelAddr(c.relatedAddress());
        ext.setRelPort(c.relatedPort());
      }
      if (c.tcpType() != null) {
        ext.setTcpType(c.tcpType());
      }
      ice.addCandidate(ext);
    }
    return ice;
  }

  static Sources sources(List<MediaSource> sources) {
    Sources.Builder builder = Sources.getBuilder();
    for (MediaSource s : sources) {
      var ms =
          org.jitsi.xmpp.extensions.colibri2.MediaSource.getBuilder()
              .setType(s.kind() == MediaKind.AUDIO ? MediaType.AUDIO : MediaType.VIDEO)
              .setId(s.name());
      for (long ssrc : s.ssrcs()) {
        SourcePacketExtension source = new SourcePacketExtension();
        source.setSSRC(ssrc);
        source.setName(s.name());
        ms.addSource(source);
      }
      for (SsrcGroup g : s.groups()) {
        SourceGroupPacketExtension group = new SourceGroupPacketExtension();
        group.setSemantics(g.semantics());
        List<SourcePacketExtension> members = new ArrayList<>();
        for (long ssrc : g.ssrcs()) {
          SourcePacketExtension member = new SourcePacketExtension();
          member.setSSRC(ssrc);
          members.add(member);
        }
        group.addSources(members);
        ms.addSsrcGroup(group);
      }
      builder.addMediaSource(ms.build());
    }
    return builder.build();
  }
}
