package io.openmeet.litebridge.media;

import io.openmeet.transport.PacketBuffer;
import io.openmeet.transport.SrtpSession;

/**
 * SRTCP from one endpoint, on its media worker: PLI and FIR go to the SSRC's owner, NACKs are
 * answered from this endpoint's send cache, SRs feed the next RR and are passed on to the others
 * (lip sync). Transport-cc feedback and REMB feed this endpoint's {@link BandwidthEstimator}. RR,
 * SDES, BYE and the rest end here.
 */
final class IncomingRtcp {

  private final EndpointConnection endpoint;
  private final ForwardingConference conference;
  private final NackResponder nacks;
  private final ReceiverFeedback feedback;
  private final EndpointTimeline timeline;
  private final Ice4jMediaEngine.Counters counters;

  IncomingRtcp(
      EndpointConnection endpoint,
      NackResponder nacks,
      ReceiverFeedback feedback,
      EndpointTimeline timeline,
      Ice4jMediaEngine.Counters counters) {
    this.endpoint = endpoint;
    this.conference = endpoint.conference();
    this.nacks = nacks;
    this.feedback = feedback;
    this.timeline = timeline;
    this.counters = counters;
  }

  void onSrtcp(byte[] data, int off, int len) {
    SrtpSession session = endpoint.srtp();
    if (session == null || endpoint.state() != TransportState.CONNECTED) {
      counters.packetsDropped.increment();
      return;
    }
    PacketBuffer packet = new PacketBuffer(data, off, len);
    if (!session.unprotectRtcp(packet)) {
      counters.packetsDropped.increment();
      return;
    }
    int end = off + packet.getLength();
    int pos = off;
    while (pos + 8 <= end) {
      if ((data[pos] & 0xC0) != 0x80) {
        return;
      }
      int length = Rtp.rtcpPacketLength(data, pos);
      if (pos + length > end) {
        return;
      }
      int type = data[pos + 1] & 0xFF;
      int fmt = data[pos] & 0x1F;
      if (type == Rtp.RTCP_PSFB && fmt == Rtp.FMT_PLI && length >= 12) {
        timeline.log("sent a PLI for ssrc " + Rtp.readUint32(data, pos + 8));
        conference.requestKeyframe(endpoint, Rtp.readUint32(data, pos + 8), false);
      } else if (type == Rtp.RTCP_PSFB && fmt == Rtp.FMT_FIR && length >= 20) {
        for (int fci = pos + 12; fci + 8 <= pos + length; fci += 8) {
          timeline.log("sent a FIR for ssrc " + Rtp.readUint32(data, fci));
          conference.requestKeyframe(endpoint, Rtp.readUint32(data, fci), true);
        }
      } else if (type == Rtp.RTCP_RTPFB && fmt == Rtp.FMT_NACK && length >= 16) {
        long mediaSsrc = Rtp.readUint32(data, pos + 8);
        for (int fci = pos + 12; fci + 4 <= pos + length; fci += 4) {
          int pid = ((data[fci] & 0xFF) << 8) | (data[fci + 1] & 0xFF);
          int blp = ((data[fci + 2] & 0xFF) << 8) | (data[fci + 3] & 0xFF);
          nacks.onNack(mediaSsrc, pid, blp, endpoint.formats());
        }
      } else if (type == Rtp.RTCP_RTPFB && fmt == TransportCcFeedback.FMT_TRANSPORT_CC) {
        // about the bridge's own numbers on what it sent here: this endpoint's bandwidth
        TransportCcParser.Report report = TransportCcParser.parse(data, pos, length);
        if (report == null) {
          counters.packetsDropped.increment();
        } else {
          endpoint.bandwidth().onFeedback(report, System.nanoTime());
        }
      } else if (type == Rtp.RTCP_PSFB && fmt == Rtp.FMT_REMB) {
        long remb = Rtp.rembBitrate(data, pos, length);
        if (remb >= 0) {
          endpoint.bandwidth().onRemb(remb);
        }
      } else if (type == Rtp.RTCP_SR && length >= 28) {
        feedback.senderReport(Rtp.readUint32(data, pos + 4), Rtp.readUint32(data, pos + 10));
        // sender reports carry the NTP/RTP mapping receivers need for lip sync
        byte[] sr = new byte[length];
        System.arraycopy(data, pos, sr, 0, length);
        long ssrc = Rtp.readUint32(sr, 4);
        SimulcastSource simulcast = conference.sourceIndex().simulcastBySsrc().get(ssrc);
        for (EndpointConnection receiver : conference.connected()) {
          if (receiver == endpoint) {
            continue;
          }
          // of a simulcast layer: only to who gets that layer, as its projection numbers it
          byte[] out =
              simulcast == null || simulcast.owner() != endpoint
                  ? sr
                  : receiver.projections().senderReport(simulcast, simulcast.layerOf(ssrc), sr);
          if (out != null) {
            receiver.srtpSender().sendRtcp(out);
          }
        }
      }
      pos += length;
    }
  }
}
