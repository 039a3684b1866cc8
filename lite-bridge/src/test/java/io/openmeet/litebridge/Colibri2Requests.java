package io.openmeet.litebridge;

import java.net.URI;
import java.util.List;
import org.jitsi.utils.MediaType;
import org.jitsi.xmpp.extensions.colibri.SourcePacketExtension;
import org.jitsi.xmpp.extensions.colibri2.Capability;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Endpoint;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jitsi.xmpp.extensions.colibri2.Media;
import org.jitsi.xmpp.extensions.colibri2.MediaSource;
import org.jitsi.xmpp.extensions.colibri2.Sources;
import org.jitsi.xmpp.extensions.colibri2.Transport;
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
import org.jxmpp.jid.Jid;

/** Jicofo-shaped Colibri2 requests built with jitsi-xmpp-extensions' builders. */
final class Colibri2Requests {
  private Colibri2Requests() {}

  static ConferenceModifyIQ.Builder request(Jid bridge, String meetingId) {
    ConferenceModifyIQ.Builder b = ConferenceModifyIQ.builder(TestEnv.random("iq-"));
    b.to(bridge);
    b.ofType(org.jivesoftware.smack.packet.IQ.Type.get);
    return b.setMeetingId(meetingId);
  }

  /** An endpoint create like jicofo's: opus + VP8/rtx, header extensions, capability. */
  static Colibri2Endpoint createEndpoint(String id, boolean withCapability) {
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(id);
    ep.setCreate(true);
    ep.setStatsId(id + "-stats");
    ep.addMedia(audio());
    ep.addMedia(video());
    ep.setTransport(Transport.getBuilder().setIceControlling(true).build());
    if (withCapability) {
      ep.addCapability(Capability.CAP_SOURCE_NAME_SUPPORT);
    }
    return ep.build();
  }

  static Media audio() {
    PayloadTypePacketExtension opus = payloadType(111, "opus", 48000, 2);
    opus.addParameter(new ParameterPacketExtension("minptime", "10"));
    opus.addParameter(new ParameterPacketExtension("useinbandfec", "1"));
    return Media.getBuilder()
        .setType(MediaType.AUDIO)
        .addPayloadType(opus)
        .addRtpHdrExt(ext(1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"))
        .addRtpHdrExt(
            ext(5, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"))
        .build();
  }

  static Media video() {
    PayloadTypePacketExtension vp8 = payloadType(100, "VP8", 90000, 1);
    RtcpFbPacketExtension pli = new RtcpFbPacketExtension();
    pli.setFeedbackType("nack");
    pli.setFeedbackSubtype("pli");
    vp8.addRtcpFeedbackType(pli);
    PayloadTypePacketExtension rtx = payloadType(96, "rtx", 90000, 1);
    rtx.addParameter(new ParameterPacketExtension("apt", "100"));
    return Media.getBuilder()
        .setType(MediaType.VIDEO)
        .addPayloadType(vp8)
        .addPayloadType(rtx)
        .addRtpHdrExt(ext(3, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"))
        .build();
  }

  /** The update jicofo sends after the client's answer: its transport and sources. */
  static Colibri2Endpoint updateEndpoint(String id, long audioSsrc, long videoSsrc, long rtxSsrc) {
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(id);
    ep.setStatsId(id + "-stats");
    ep.setTransport(Transport.getBuilder().setIceUdpExtension(clientTransport()).build());
    ep.setSources(
        Sources.getBuilder()
            .addMediaSource(
                MediaSource.getBuilder()
                    .setType(MediaType.AUDIO)
                    .setId(id + "-a0")
                    .addSource(source(audioSsrc, id + "-a0"))
                    .build())
            .addMediaSource(
                MediaSource.getBuilder()
                    .setType(MediaType.VIDEO)
                    .setId(id + "-v0")
                    .addSource(source(videoSsrc, id + "-v0"))
                    .addSource(source(rtxSsrc, id + "-v0"))
                    .addSsrcGroup(fid(videoSsrc, rtxSsrc))
                    .build())
            .build());
    return ep.build();
  }

  static Colibri2Endpoint expireEndpoint(String id) {
    Colibri2Endpoint.Builder ep = Colibri2Endpoint.getBuilder();
    ep.setId(id);
    ep.setExpire(true);
    return ep.build();
  }

  static IceUdpTransportPacketExtension clientTransport() {
    IceUdpTransportPacketExtension t = new IceUdpTransportPacketExtension();
    t.setUfrag("9659c53e");
    t.setPassword("31e36fa8f6a24646bc0b4d7c8ac41356");
    t.addChildExtension(new IceRtcpmuxPacketExtension());
    DtlsFingerprintPacketExtension fp = new DtlsFingerprintPacketExtension();
    fp.setHash("sha-256");
    fp.setSetup("active");
    fp.setFingerprint(
        "69:F2:BD:24:4C:DE:14:BA:A5:1B:E3:69:CA:06:A5:82:CF:2B:1C:AA:DC:ED:60:C7:1E:C5:72:A6:A3:C0:BF:01");
    t.addChildExtension(fp);
    IceCandidatePacketExtension c = new IceCandidatePacketExtension();
    c.setID("c1");
    c.setComponent(1);
    c.setFoundation("1");
    c.setGeneration(0);
    c.setNetwork(0);
    c.setProtocol("udp");
    c.setIP("127.0.0.1");
    c.setPort(50000);
    c.setPriority(2130706431L);
    c.setType(CandidateType.host);
    t.addCandidate(c);
    return t;
  }

  private static PayloadTypePacketExtension payloadType(
      int id, String name, int clock, int channels) {
    PayloadTypePacketExtension pt = new PayloadTypePacketExtension();
    pt.setId(id);
    pt.setName(name);
    pt.setClockrate(clock);
    if (channels > 1) {
      pt.setChannels(channels);
    }
    return pt;
  }

  private static RTPHdrExtPacketExtension ext(int id, String uri) {
    RTPHdrExtPacketExtension e = new RTPHdrExtPacketExtension();
    e.setID(String.valueOf(id));
    e.setURI(URI.create(uri));
    return e;
  }

  private static SourcePacketExtension source(long ssrc, String name) {
    SourcePacketExtension s = new SourcePacketExtension();
    s.setSSRC(ssrc);
    s.setName(name);
    return s;
  }

  private static SourceGroupPacketExtension fid(long primary, long rtx) {
    SourceGroupPacketExtension g = new SourceGroupPacketExtension();
    g.setSemantics("FID");
    SourcePacketExtension a = new SourcePacketExtension();
    a.setSSRC(primary);
    SourcePacketExtension b = new SourcePacketExtension();
    b.setSSRC(rtx);
    g.addSources(List.of(a, b));
    return g;
  }
}
