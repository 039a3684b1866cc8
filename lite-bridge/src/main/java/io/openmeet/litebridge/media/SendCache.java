package io.openmeet.litebridge.media;

/** The last {@value #SIZE} packets of one SSRC sent to an endpoint, by sequence number. */
final class SendCache {
  static final int SIZE = 1024;
  private final byte[][] packets = new byte[SIZE][];

  synchronized void put(byte[] plain) {
    packets[Rtp.sequenceNumber(plain, 0) & (SIZE - 1)] = plain;
  }

  synchronized byte[] get(int sequence) {
    byte[] p = packets[sequence & (SIZE - 1)];
    return p != null && Rtp.sequenceNumber(p, 0) == sequence ? p : null;
  }
}
