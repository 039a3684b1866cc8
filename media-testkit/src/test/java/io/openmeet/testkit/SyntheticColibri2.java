package io.openmeet.testkit;

import io.openmeet.litebridge.media.IceCandidate;
import io.openmeet.litebridge.media.LocalIce;
import io.openmeet.litebridge.media.MediaFormats;
import io.openmeet.litebridge.media.MediaSourceDesc;
import io.openmeet.litebridge.media.RemoteTransport;
import io.openmeet.transport.DtlsFingerprint;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jitsi.utils.MediaType;
import org.jitsi.xmpp.extensions.colibri.SourcePacketExtension;
import org.jitsi.xmpp.extensions.colibri2.Capability;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Endpoint;
import org.jitsi.xmpp.extensions.colibri2.Media;
import org.jitsi.xmpp.extensions.colibri2.MediaSource;
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
import org.jitsi.xmpp.extensions.jingle.SourceGroupPacketExtension;

/** The Colibri2 endpoint elements the focus sends for a {@link SyntheticEndpoint}. */
final class SyntheticColibri2 {

  private SyntheticColibri2() {}

  static Colibri2Endpoint create(String id) {
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(id);
    ep.setCreate(true);
    ep.setStatsId(id + "-stats");
    ep.addCapability(Capability.CAP_SOURCE_NAME_SUPPORT);
    MediaFormats formats = SyntheticEndpoint.mediaFormats();
    for (MediaType type : new MediaType[] {MediaType.AUDIO, MediaType.VIDEO}) {
      Media.Builder media = Media.getBuilder().setType(type);
      String name = type.toString().toLowerCase(Locale.ROOT);
      for (MediaFormats.PayloadType pt : formats.payloadTypes()) {
        if (name.equalsIgnoreCase(pt.mediaType())) {
          media.addPayloadType(payloadType(pt, formats.rtxPayloadTypes().get(pt.id())));
        }
      }
      if (type == MediaType.AUDIO) {
        formats
            .headerExtensions()
            .forEach(
                (extId, uri) -> {
                  RTPHdrExtPacketExtension ext = new RTPHdrExtPacketExtension();
                  ext.setID(String.valueOf(extId));
                  ext.setURI(URI.create(uri));
                  media.addRtpHdrExt(ext);
                });
      }
      ep.addMedia(media.build());
    }
    ep.setTransport(Transport.getBuilder().setIceControlling(true).build());
    return ep.build();
  }

  static PayloadTypePacketExtension payloadType(MediaFormats.PayloadType pt, Integer apt) {
    PayloadTypePacketExtension x = new PayloadTypePacketExtension();
    x.setId(pt.id());
    x.setName(pt.name());
    x.setClockrate(pt.clockRate());
    if (pt.channels() > 1) {
      x.setChannels(pt.channels());
    }
    if (apt != null) {
      x.addParameter(new ParameterPacketExtension("apt", String.valueOf(apt)));
    }
    return x;
  }

  /** The update the focus sends after the browser's answer: its ICE, fingerprint and sources. */
  static Colibri2Endpoint update(String id, SyntheticEndpoint endpoint) {
    RemoteTransport own = endpoint.transportDescription();
    IceUdpTransportPacketExtension t = new IceUdpTransportPacketExtension();
    t.setUfrag(own.ufrag());
    t.setPassword(own.password());
    t.addChildExtension(new IceRtcpmuxPacketExtension());
    for (DtlsFingerprint f : own.fingerprints()) {
      DtlsFingerprintPacketExtension fp = new DtlsFingerprintPacketExtension();
      fp.setHash(f.hash());
      fp.setSetup(f.setup());
      fp.setFingerprint(f.value());
      t.addChildExtension(fp);
    }
    int n = 0;
    for (IceCandidate c : own.candidates()) {
      IceCandidatePacketExtension x = new IceCandidatePacketExtension();
      x.setID("c" + n++);
      x.setComponent(c.component());
      x.setFoundation(c.foundation());
      x.setGeneration(c.generation());
      x.setNetwork(0);
      x.setProtocol(c.protocol());
      x.setIP(c.ip());
      x.setPort(c.port());
      x.setPriority(c.priority());
      x.setType(CandidateType.valueOf(c.type()));
      t.addCandidate(x);
    }
    Sources.Builder sources = Sources.getBuilder();
    for (MediaSourceDesc s : endpoint.sources()) {
      MediaSource.Builder source =
          MediaSource.getBuilder()
              .setType(MediaType.parseString(s.type().toLowerCase(Locale.ROOT)))
              .setId(s.name());
      for (long ssrc : s.ssrcs()) {
        SourcePacketExtension x = new SourcePacketExtension();
        x.setSSRC(ssrc);
        x.setName(s.name());
        source.addSource(x);
      }
      for (MediaSourceDesc.SsrcGroup g : s.groups()) {
        SourceGroupPacketExtension x = new SourceGroupPacketExtension();
        x.setSemantics(g.semantics());
        List<SourcePacketExtension> members = new ArrayList<>();
        for (long ssrc : g.ssrcs()) {
          SourcePacketExtension m = new SourcePacketExtension();
          m.setSSRC(ssrc);
          members.add(m);
        }
        x.addSources(members);
        source.addSsrcGroup(x);
      }
      sources.addMediaSource(source.build());
    }
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(id);
    ep.setTransport(Transport.getBuilder().setIceUdpExtension(t).build());
    ep.setSources(sources.build());
    return ep.build();
  }

  static List<IceCandidate> candidates(IceUdpTransportPacketExtension t) {
    List<IceCandidate> out = new ArrayList<>();
    for (CandidatePacketExtension c : t.getCandidateList()) {
      out.add(
          new IceCandidate(
              c.getFoundation(),
              c.getComponent(),
              c.getProtocol(),
              c.getPriority(),
              c.getIP(),
              c.getPort(),
              c.getType().toString(),
              c.getGeneration(),
              c.getRelAddr(),
              c.getRelPort()));
    }
    return out;
  }

  /** The bridge's side of the endpoint's transport, from a create answer. */
  static LocalIce localIce(IceUdpTransportPacketExtension bridge) {
    return new LocalIce(bridge.getUfrag(), bridge.getPassword(), candidates(bridge));
  }

  /** The bridge's certificate fingerprint, from a create answer. */
  static DtlsFingerprint fingerprint(IceUdpTransportPacketExtension bridge) {
    DtlsFingerprintPacketExtension fp =
        bridge.getFirstChildOfType(DtlsFingerprintPacketExtension.class);
    return new DtlsFingerprint(fp.getHash(), fp.getFingerprint(), fp.getSetup());
  }
}
