package io.openmeet.litebridge.media;

import io.openmeet.transport.PacketBuffer;
import io.openmeet.transport.SrtpSession;

/**
 * The send side of one endpoint's SRTP session: encrypts RTP and RTCP for it and sends them over
 * its ICE pair. Nothing is sent before the DTLS handshake produced keys. Every RTP packet first
 * gets the bridge's transport-wide sequence number for this endpoint ({@link TransportSequencer}).
 */
final class SrtpSender {

  private final EndpointConnection endpoint;
  private final EndpointIce ice;
  private final Ice4jMediaEngine.Counters counters;
  private final Object rtcpLock = new Object();

  SrtpSender(EndpointConnection endpoint, EndpointIce ice, Ice4jMediaEngine.Counters counters) {
    this.endpoint = endpoint;
    this.ice = ice;
    this.counters = counters;
  }

  /** Whether SRTP keys exist, i.e. whether anything can be sent. */
  boolean ready() {
    return endpoint.srtp() != null;
  }

  /** Encrypts and sends one forwarded RTP packet (counted as forwarded). */
  void sendRtp(byte[] plain) {
    SrtpSession session = endpoint.srtp();
    if (session == null) {
      return;
    }
    byte[] stamped = endpoint.sequencer().stamp(plain);
    PacketBuffer packet = PacketBuffer.copyOf(stamped, 0, stamped.length);
    if (session.protectRtp(packet)) {
      ice.send(packet.getBuffer(), packet.getOffset(), packet.getLength());
      counters.rtpForwarded.increment();
    } else {
      counters.packetsDropped.increment();
    }
  }

  /** Encrypts and sends a retransmission (plain or RTX); not counted as forwarded. */
  void resendRtp(byte[] plain) {
    sendOwnRtp(plain, false);
  }

  /** Sends a padding-only packet of the bridge's probing. */
  void sendPadding(byte[] plain) {
    sendOwnRtp(plain, true);
  }

  private void sendOwnRtp(byte[] plain, boolean padding) {
    SrtpSession session = endpoint.srtp();
    if (session == null) {
      return;
    }
    byte[] stamped = endpoint.sequencer().stamp(plain, padding);
    PacketBuffer packet = PacketBuffer.copyOf(stamped, 0, stamped.length);
    if (session.protectRtp(packet)) {
      ice.send(packet.getBuffer(), packet.getOffset(), packet.getLength());
    }
  }

  /** Encrypts and sends an RTCP (compound) packet. */
  void sendRtcp(byte[] plain) {
    SrtpSession session = endpoint.srtp();
    if (session == null) {
      return;
    }
    PacketBuffer packet = PacketBuffer.copyOf(plain, 0, plain.length);
    // several threads send RTCP to one endpoint (receivers' workers routing their PLIs, the DTLS
    // thread asking for keyframes for a newcomer, the report timer); an SRTCP context is not
    // thread-safe, and its index must go out in order
    synchronized (rtcpLock) {
      if (session.protectRtcp(packet)) {
        ice.send(packet.getBuffer(), packet.getOffset(), packet.getLength());
      }
    }
  }
}
