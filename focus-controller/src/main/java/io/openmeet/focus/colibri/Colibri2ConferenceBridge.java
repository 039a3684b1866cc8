package io.openmeet.focus.colibri;

import io.openmeet.focus.conference.ConferenceBridge;
import io.openmeet.focus.conference.FocusException;
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
import java.time.Duration;
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
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One conference on one bridge over Colibri2, shaped like jicofo's requests: IQs of type get to the
 * bridge's occupant JID in the brewery, a meeting id on every request, endpoints created with
 * media, {@code <transport ice-controlling='true'/>} and the {@code source-names} capability.
 */
public final class Colibri2ConferenceBridge implements ConferenceBridge {

  private static final Logger LOG = LoggerFactory.getLogger(Colibri2ConferenceBridge.class);

  /** Picks the bridge (its occupant JID in the brewery) for a new conference. */
  @FunctionalInterface
  public interface BridgeChooser {
    /**
     * @param avoid bridges that just refused this conference
     * @throws FocusException NO_BRIDGE when none is usable
     */
    Jid choose(Optional<String> region, List<Jid> avoid) throws FocusException;
  }

  private final XMPPConnection xmpp;
  private final BridgeChooser chooser;
  private final String meetingId;
  private final EntityBareJid conferenceName;
  private final Optional<String> region;
  private final CodecSettings codecs;
  private final Duration timeout;

  private Jid bridge;
  private boolean created;

  public Colibri2ConferenceBridge(
      XMPPConnection xmpp,
      BridgeChooser chooser,
      String meetingId,
      EntityBareJid conferenceName,
      Optional<String> region,
      CodecSettings codecs,
      Duration timeout) {
    this.xmpp = xmpp;
    this.chooser = chooser;
    this.meetingId = meetingId;
    this.conferenceName = conferenceName;
    this.region = region;
    this.codecs = codecs;
    this.timeout = timeout;
  }

  /** The bridge hosting the conference, once one was chosen. */
  public synchronized Optional<Jid> bridge() {
    return Optional.ofNullable(bridge);
  }

  @Override
  public synchronized Allocation allocate(String endpointId, String statsId) throws FocusException {
    List<Jid> refused = new ArrayList<>();
    for (int attempt = 0; attempt < 3; attempt++) {
      if (bridge == null) {
        bridge = chooser.choose(region, refused);
        created = false;
      }
      ConferenceModifyIQ.Builder request = request();
      if (!created) {
        request.setConferenceName(conferenceName.toString()).setCreate(true);
      }
      request.addEndpoint(createEndpoint(endpointId, statsId));
      try {
        ConferenceModifiedIQ response = send(request.build());
        created = true;
        return allocation(response, endpointId);
      } catch (ColibriError e) {
        if (e.reason == Colibri2Error.Reason.CONFERENCE_ALREADY_EXISTS) {
          created = true; // a retry of a create that did arrive
        } else if (e.reason == Colibri2Error.Reason.CONFERENCE_NOT_FOUND) {
          created = false; // the bridge lost the conference (restart, expiry): create it again
        } else if (!created) {
          // graceful shutdown, timeout or refusal before anything lives there: try another bridge
          LOG.info("bridge {} refused conference {}: {}", bridge, meetingId, e.getMessage());
          refused.add(bridge);
          bridge = null;
        } else {
          throw new FocusException(FocusException.Reason.NO_BRIDGE, e.getMessage(), e);
        }
      }
    }
    throw new FocusException(
        FocusException.Reason.NO_BRIDGE, "no bridge accepted conference " + meetingId);
  }

  @Override
  public synchronized void update(
      String endpointId, TransportDescription transport, List<MediaSource> sources)
      throws FocusException {
    requireBridge();
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(endpointId);
    ep.setTransport(Transport.getBuilder().setIceUdpExtension(iceUdp(transport)).build());
    ep.setSources(sources(sources));
    ConferenceModifyIQ.Builder request = request();
    request.addEndpoint(ep.build());
    try {
      send(request.build());
    } catch (ColibriError e) {
      throw new FocusException(
          e.reason == Colibri2Error.Reason.UNKNOWN_ENDPOINT
                  || e.reason == Colibri2Error.Reason.CONFERENCE_NOT_FOUND
              ? FocusException.Reason.UNEXPECTED
              : FocusException.Reason.INTERNAL,
          "the bridge refused the participant's answer: " + e.getMessage(),
          e);
    }
  }

  @Override
  public synchronized void expire(String endpointId) {
    if (bridge == null || !created) {
      return;
    }
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(endpointId);
    ep.setExpire(true);
    ConferenceModifyIQ.Builder request = request();
    request.addEndpoint(ep.build());
    sendQuietly(request.build(), "expire endpoint " + endpointId);
  }

  @Override
  public synchronized void close() {
    if (bridge == null || !created) {
      return;
    }
    ConferenceModifyIQ.Builder request = request();
    request.setExpire(true);
    sendQuietly(request.build(), "expire conference");
    created = false;
  }

  private void requireBridge() throws FocusException {
    if (bridge == null || !created) {
      throw new FocusException(FocusException.Reason.UNEXPECTED, "no endpoint was allocated");
    }
  }

  private ConferenceModifyIQ.Builder request() {
    ConferenceModifyIQ.Builder b = ConferenceModifyIQ.builder(xmpp);
    b.to(bridge);
    b.ofType(IQ.Type.get);
    return b.setMeetingId(meetingId);
  }

  /** A Colibri2 error answer, with its reason (UNSPECIFIED when the bridge gave none). */
  static final class ColibriError extends Exception {
    final Colibri2Error.Reason reason;

    ColibriError(Colibri2Error.Reason reason, String message, Throwable cause) {
      super(message, cause);
      this.reason = reason;
    }
  }

  private ConferenceModifiedIQ send(ConferenceModifyIQ iq) throws ColibriError {
    try {
      IQ response = xmpp.createStanzaCollectorAndSend(iq).nextResultOrThrow(timeout.toMillis());
      if (response instanceof ConferenceModifiedIQ modified) {
        return modified;
      }
      throw new ColibriError(
          Colibri2Error.Reason.UNSPECIFIED, "unexpected answer " + response.toXML(), null);
    } catch (XMPPException.XMPPErrorException e) {
      StanzaError error = e.getStanzaError();
      Colibri2Error colibri = error.getExtension(Colibri2Error.ELEMENT, Colibri2Error.NAMESPACE);
      Colibri2Error.Reason reason =
          colibri == null || colibri.getReason() == null
              ? Colibri2Error.Reason.UNSPECIFIED
              : colibri.getReason();
      throw new ColibriError(
          reason,
          "bridge " + bridge + " answered " + error.getCondition() + " (" + reason + ")",
          e);
    } catch (SmackException.NoResponseException e) {
      throw new ColibriError(
          Colibri2Error.Reason.UNSPECIFIED,
          "bridge " + bridge + " did not answer in " + timeout,
          e);
    } catch (SmackException.NotConnectedException e) {
      throw new ColibriError(Colibri2Error.Reason.UNSPECIFIED, "not connected to XMPP", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ColibriError(Colibri2Error.Reason.UNSPECIFIED, "interrupted", e);
    }
  }

  private void sendQuietly(ConferenceModifyIQ iq, String what) {
    try {
      send(iq);
    } catch (ColibriError e) {
      // the bridge expires idle endpoints and empty conferences by itself
      LOG.info("{} of {} on {} failed: {}", what, meetingId, bridge, e.getMessage());
    }
  }

  private Colibri2Endpoint createEndpoint(String endpointId, String statsId) {
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(endpointId);
    ep.setCreate(true);
    ep.setStatsId(statsId);
    ep.addMedia(media(MediaKind.AUDIO));
    ep.addMedia(media(MediaKind.VIDEO));
    // must match the role signalled to the browser: the bridge controls ICE
    ep.setTransport(Transport.getBuilder().setIceControlling(true).build());
    ep.addCapability(Capability.CAP_SOURCE_NAME_SUPPORT);
    return ep.build();
  }

  private Media media(MediaKind kind) {
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
      for (var fb : pt.feedback()) {
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
      ext.setURI(java.net.URI.create(h.uri()));
      media.addRtpHdrExt(ext);
    }
    return media.build();
  }

  private static Allocation allocation(ConferenceModifiedIQ response, String endpointId)
      throws ColibriError {
    Colibri2Endpoint ep =
        response.getEndpoints().stream()
            .filter(e -> endpointId.equals(e.getId()))
            .findFirst()
            .orElseThrow(
                () ->
                    new ColibriError(
                        Colibri2Error.Reason.UNSPECIFIED, "the answer has no endpoint", null));
    IceUdpTransportPacketExtension ice =
        ep.getTransport() == null ? null : ep.getTransport().getIceUdpTransport();
    if (ice == null || ice.getUfrag() == null || ice.getPassword() == null) {
      throw new ColibriError(
          Colibri2Error.Reason.UNSPECIFIED, "the answer has no ICE transport", null);
    }
    List<DtlsFingerprint> fingerprints = new ArrayList<>();
    for (DtlsFingerprintPacketExtension fp :
        ice.getChildExtensionsOfType(DtlsFingerprintPacketExtension.class)) {
      fingerprints.add(
          new DtlsFingerprint(
              fp.getHash(),
              fp.getFingerprint().strip(),
              Setup.fromToken(fp.getSetup() == null ? "actpass" : fp.getSetup())
                  .orElse(Setup.ACTPASS)));
    }
    List<IceCandidate> candidates = new ArrayList<>();
    for (CandidatePacketExtension c : ice.getCandidateList()) {
      candidates.add(
          new IceCandidate(
              c.getFoundation(),
              c.getComponent(),
              c.getProtocol(),
              Integer.toUnsignedLong(c.getPriority()),
              c.getIP(),
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
    return new Allocation(
        new TransportDescription(ice.getUfrag(), ice.getPassword(), fingerprints, candidates),
        feedbackSources(response.getSources()),
        webSocket,
        String.valueOf(response.getFrom()));
  }

  /** The bridge's own sources; msid as jicofo gives them (`mixedmslabel mixedlabel<kind>0`). */
  private static List<MediaSource> feedbackSources(Sources sources) {
    List<MediaSource> result = new ArrayList<>();
    if (sources == null) {
      return result;
    }
    for (var ms : sources.getMediaSources()) {
      MediaKind kind = ms.getType() == MediaType.AUDIO ? MediaKind.AUDIO : MediaKind.VIDEO;
      List<Long> ssrcs = ms.getSources().stream().map(SourcePacketExtension::getSSRC).toList();
      if (ssrcs.isEmpty()) {
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
              "mixedlabel" + kind.name().toLowerCase(Locale.ROOT) + "0"));
    }
    return result;
  }

  private static IceUdpTransportPacketExtension iceUdp(TransportDescription t) {
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
      if (!"udp".equalsIgnoreCase(c.protocol())) {
        continue; // the bridge's single UDP port cannot reach TCP candidates
      }
      IceCandidatePacketExtension ext = new IceCandidatePacketExtension();
      ext.setID("c" + n++);
      ext.setFoundation(c.foundation());
      ext.setComponent(c.component());
      ext.setProtocol(c.protocol().toLowerCase(Locale.ROOT));
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
      ice.addCandidate(ext);
    }
    return ice;
  }

  private static Sources sources(List<MediaSource> sources) {
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
