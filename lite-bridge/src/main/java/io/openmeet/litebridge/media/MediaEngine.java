package io.openmeet.litebridge.media;

import io.openmeet.transport.DtlsFingerprint;

/**
 * The bridge's media plane: one UDP port shared by every endpoint (ICE), one DTLS certificate for
 * the whole bridge, and the RTP/RTCP forwarding between the endpoints of a conference.
 *
 * <p>The Colibri2 layer depends on this interface only; it never touches ice4j, DTLS or SRTP
 * itself.
 */
public interface MediaEngine extends AutoCloseable {

  /** The bridge certificate's fingerprint as signalled in Colibri2 (one certificate per bridge). */
  DtlsFingerprint localFingerprint();

  /** Creates the media side of a Colibri2 conference. */
  MediaConference createConference(String meetingId, MediaConference.Listener listener);

  /** Counters for `/colibri/stats`, the presence stats and the stress level. */
  MediaStats stats();

  /** Stops the UDP harvester and every transport. */
  @Override
  void close();
}
