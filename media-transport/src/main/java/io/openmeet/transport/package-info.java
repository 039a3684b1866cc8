/**
 * DTLS-SRTP shared by lite-bridge and the synthetic endpoints: a DTLS 1.2 association over any
 * datagram path (BouncyCastle), the SRTP session it keys (jitsi-srtp), certificates and
 * fingerprints. Knows nothing of ICE, RTP forwarding, XMPP or Colibri2.
 */
package io.openmeet.transport;
