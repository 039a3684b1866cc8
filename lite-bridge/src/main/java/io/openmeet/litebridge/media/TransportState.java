package io.openmeet.litebridge.media;

/** Life cycle of an endpoint transport. */
public enum TransportState {
  /** Created and described; the peer's transport is not known yet. */
  NEW,
  /** ICE checks or the DTLS handshake are under way. */
  CONNECTING,
  /** ICE selected a pair and DTLS-SRTP keys are installed: media flows. */
  CONNECTED,
  /**
   * ICE or DTLS failed for good (including a certificate that does not match the signalled
   * fingerprint).
   */
  FAILED,
  /** Closed by an expire. */
  CLOSED
}
