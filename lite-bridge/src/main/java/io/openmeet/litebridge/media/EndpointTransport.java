package io.openmeet.litebridge.media;

import java.time.Instant;
import java.util.List;

/**
 * One endpoint's ICE + DTLS + SRTP transport on the bridge. The bridge is ICE-controlling; its DTLS
 * role follows the peer's `setup` attribute (peer `active` makes the bridge the DTLS server).
 */
public interface EndpointTransport {

  String endpointId();

  /** Local ICE credentials and candidates, for the Colibri2 response. */
  LocalIce localIce();

  /** The peer's ICE credentials, candidates and DTLS fingerprints; starts connectivity checks. */
  void setRemoteTransport(RemoteTransport remote);

  /**
   * Replaces the sources this endpoint sends (Colibri2 `<sources>` replaces, it does not merge).
   */
  void setSources(List<MediaSourceDesc> sources);

  /** Payload types and header extensions negotiated for this endpoint (from Colibri2 `<media>`). */
  void setMediaFormats(MediaFormats formats);

  /**
   * Whether the endpoint wants video forwarded to it (ReceiverVideoConstraints lastN = 0 → false).
   */
  void setReceiveVideo(boolean receiveVideo);

  TransportState state();

  /** When a packet (STUN, DTLS, RTP or RTCP) last arrived from the peer; drives idle expiry. */
  Instant lastActivity();

  /** Stops the transport and forwarding to and from this endpoint. */
  void close();
}
