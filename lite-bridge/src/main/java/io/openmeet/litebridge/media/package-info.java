/**
 * The media plane of lite-bridge: ICE (ice4j, one UDP port), DTLS 1.2 (BouncyCastle), SRTP
 * (jitsi-srtp) and RTP/RTCP forwarding. Knows nothing of XMPP or Colibri2.
 */
package io.openmeet.litebridge.media;
