package io.openmeet.litebridge.colibri2;

import io.openmeet.litebridge.media.IceCandidate;
import io.openmeet.litebridge.media.LocalIce;
import io.openmeet.litebridge.media.MediaFormats;
import io.openmeet.litebridge.media.MediaSourceDesc;
import io.openmeet.litebridge.media.RemoteTransport;
import io.openmeet.transport.DtlsFingerprint;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jitsi.utils.MediaType;
import org.jitsi.xmpp.extensions.colibri.SourcePacketExtension;
import org.jitsi.xmpp.extensions.colibri.WebSocketPacketExtension;
import org.jitsi.xmpp.extensions.colibri2.Media;
import org.jitsi.xmpp.extensions.colibri2.MediaSource;
import org.jitsi.xmpp.extensions.colibri2.Sources;
import org.jitsi.xmpp.extensions.jingle.CandidatePacketExtension;
import org.jitsi.xmpp.extensions.jingle.CandidateType;
import org.jitsi.xmpp.extensions.jingle.DtlsFingerprintPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceCandidatePacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceRtcpmuxPacketExtension;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jitsi.xmpp.extensions.jingle.ParameterPacketExtension;
import org.jitsi.xmpp.extensions.jingle.PayloadTypePacketExtension;
import org.jitsi.xmpp.extensions.jingle.RTPHdrExtPacketExtension;
import org.jitsi.xmpp.extensions.jingle.SourceGroupPacketExtension;

/** Converts between the Colibri2 XML elements and the media plane's value types. */
final class Colibri2Translation {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Colibri2Translation() {}

  /** `<media>` elements → the endpoint's payload types and header extensions. */
  static MediaFormats formats(List<Media> media) throws Colibri2Exception {
    List<MediaFormats.PayloadType> payloadTypes = new ArrayList<>();
    Map<Integer, Integer> rtx = new HashMap<>();
    Map<Integer, String> extensions = new HashMap<>();
    for (Media m : media) {
      if (m.getType() == null) {
        throw Colibri2Exception.badRequest("<media> without a valid type");
      }
      String type = m.getType().toString();
      for (PayloadTypePacketExtension pt : m.getPayloadTypes()) {
        if (pt.getName() == null || pt.getID() < 0 || pt.getID() > 127) {
          throw Colibri2Exception.badRequest("invalid payload-type " + pt.toXML());
        }
        payloadTypes.add(
            new MediaFormats.PayloadType(
                type, pt.getID(), pt.getName(), pt.getClockrate(), Math.max(1, pt.getChannels())));
        if ("rtx".equalsIgnoreCase(pt.getName())) {
          for (ParameterPacketExtension p : pt.getParameters()) {
            if ("apt".equals(p.getName())) {
              rtx.put(pt.getID(), parseInt(p.getValue(), "apt of payload-type " + pt.getID()));
            }
          }
        }
      }
      for (RTPHdrExtPacketExtension ext : m.getRtpHdrExts()) {
        int id = parseInt(ext.getID(), "rtp-hdrext id");
        if (id < 1 || id > 255 || ext.getURI() == null) {
          throw Colibri2Exception.badRequest("invalid rtp-hdrext " + ext.toXML());
        }
        extensions.put(id, ext.getURI().toString());
      }
    }
    return new MediaFormats(payloadTypes, rtx, extensions);
  }

  private static IceCandidate candidate(CandidatePacketExtension c) {
    return new IceCandidate(
        c.getFoundation(),
        c.getComponent(),
        c.getProtocol() == null ? "udp" : c.getProtocol().toLowerCase(Locale.ROOT),
        Integer.toUnsignedLong(c.getPriority()),
        c.getIP(),
        c.getPort(),
        c.getType().toString(),
        c.getGeneration(),
        c.getRelAddr(),
        c.getRelPort());
  }

  /** The peer's ICE-UDP transport → the media plane's remote transport. */
  static RemoteTransport remote(IceUdpTransportPacketExtension t) throws Colibri2Exception {
    List<IceCandidate> candidates = new ArrayList<>();
    for (CandidatePacketExtension c : t.getCandidateList()) {
      try {
        if (c.getIP() == null || c.getPort() <= 0 || c.getPort() > 65535 || c.getType() == null) {
          throw Colibri2Exception.badRequest("invalid candidate " + c.toXML());
        }
        candidates.add(candidate(c));
      } catch (IllegalArgumentException e) {
        // a number attribute that is no int (e.g. priority 4294967295, beyond RFC 8445):
        // the request is bad, not the bridge (it was an internal-server-error; found by the fuzzer)
        throw Colibri2Exception.badRequest("invalid candidate " + c.toXML());
      }
    }
    List<DtlsFingerprint> fingerprints = new ArrayList<>();
    for (DtlsFingerprintPacketExtension f :
        t.getChildExtensionsOfType(DtlsFingerprintPacketExtension.class)) {
      if (f.getHash() == null || f.getFingerprint() == null || f.getFingerprint().isBlank()) {
        throw Colibri2Exception.badRequest("invalid fingerprint " + f.toXML());
      }
      fingerprints.add(
          new DtlsFingerprint(
              f.getHash().toLowerCase(Locale.ROOT),
              f.getFingerprint().trim().toUpperCase(Locale.ROOT),
              f.getSetup()));
    }
    return new RemoteTransport(t.getUfrag(), t.getPassword(), candidates, fingerprints);
  }

  /** `<sources>` → the endpoint's media sources (which replace the previous ones). */
  static List<MediaSourceDesc> sources(Sources sources) throws Colibri2Exception {
    List<MediaSourceDesc> result = new ArrayList<>();
    for (MediaSource ms : sources.getMediaSources()) {
      if (ms.getType() == null || ms.getId() == null) {
        throw Colibri2Exception.badRequest("media-source needs a type and an id");
      }
      List<Long> ssrcs = new ArrayList<>();
      for (SourcePacketExtension s : ms.getSources()) {
        if (!s.hasSSRC()) {
          throw Colibri2Exception.badRequest("source without ssrc in media-source " + ms.getId());
        }
        ssrcs.add(s.getSSRC());
      }
      List<MediaSourceDesc.SsrcGroup> groups = new ArrayList<>();
      for (SourceGroupPacketExtension g : ms.getSsrcGroups()) {
        if (g.getSemantics() == null) {
          throw Colibri2Exception.badRequest("ssrc-group without semantics in " + ms.getId());
        }
        groups.add(
            new MediaSourceDesc.SsrcGroup(
                g.getSemantics(),
                g.getSources().stream().map(SourcePacketExtension::getSSRC).toList()));
      }
      result.add(new MediaSourceDesc(ms.getType().toString(), ms.getId(), ssrcs, groups));
    }
    return result;
  }

  /**
   * The bridge's transport for one endpoint, shaped like JVB's: rtcp-mux, the fingerprint with
   * setup=actpass, the colibri-ws URL (if enabled) and the host candidates.
   */
  static IceUdpTransportPacketExtension describe(
      LocalIce ice, DtlsFingerprint fingerprint, String webSocketUrl) {
    IceUdpTransportPacketExtension t = new IceUdpTransportPacketExtension();
    t.setUfrag(ice.ufrag());
    t.setPassword(ice.password());
    t.addChildExtension(new IceRtcpmuxPacketExtension());
    DtlsFingerprintPacketExtension fp = new DtlsFingerprintPacketExtension();
    fp.setHash(fingerprint.hash());
    fp.setSetup("actpass");
    fp.setFingerprint(fingerprint.value());
    t.addChildExtension(fp);
    if (webSocketUrl != null) {
      t.addChildExtension(new WebSocketPacketExtension(webSocketUrl));
    }
    for (IceCandidate c : ice.candidates()) {
      IceCandidatePacketExtension ce = new IceCandidatePacketExtension();
      ce.setComponent(c.component());
      ce.setFoundation(c.foundation());
      ce.setGeneration(c.generation());
      ce.setID(randomId());
      ce.setIP(c.ip());
      ce.setNetwork(0);
      ce.setPort(c.port());
      ce.setPriority(c.priority());
      ce.setProtocol(c.protocol());
      ce.setType(CandidateType.valueOf(c.type()));
      if (c.relatedAddress() != null) {
        ce.setRelAddr(c.relatedAddress());
        ce.setRelPort(c.relatedPort());
      }
      t.addCandidate(ce);
    }
    return t;
  }

  /** The bridge's feedback sources as a `<sources>` element. */
  static Sources describe(List<MediaSourceDesc> sources) {
    Sources.Builder builder = Sources.getBuilder();
    for (MediaSourceDesc d : sources) {
      MediaSource.Builder ms =
          MediaSource.getBuilder().setType(MediaType.parseString(d.type())).setId(d.name());
      for (long ssrc : d.ssrcs()) {
        SourcePacketExtension s = new SourcePacketExtension();
        s.setSSRC(ssrc);
        s.setName(d.name());
        ms.addSource(s);
      }
      for (MediaSourceDesc.SsrcGroup g : d.groups()) {
        SourceGroupPacketExtension group = new SourceGroupPacketExtension();
        group.setSemantics(g.semantics());
        List<SourcePacketExtension> members = new ArrayList<>();
        for (long ssrc : g.ssrcs()) {
          SourcePacketExtension s = new SourcePacketExtension();
          s.setSSRC(ssrc);
          members.add(s);
        }
        group.addSources(members);
        ms.addSsrcGroup(group);
      }
      builder.addMediaSource(ms.build());
    }
    return builder.build();
  }

  private static int parseInt(String value, String what) throws Colibri2Exception {
    try {
      return Integer.parseInt(value == null ? "" : value.trim());
    } catch (NumberFormatException e) {
      throw Colibri2Exception.badRequest("invalid " + what + ": " + value);
    }
  }

  private static String randomId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
