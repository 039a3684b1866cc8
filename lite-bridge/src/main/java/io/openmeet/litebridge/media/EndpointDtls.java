package io.openmeet.litebridge.media;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * One endpoint's DTLS 1.2 association over ICE: the bridge's role follows the peer's `setup`, the
 * peer's certificate must match a signalled fingerprint, and the exported keys make the SRTP
 * session.
 */
final class EndpointDtls {

  /** A completed handshake: the association to keep serving and the SRTP keys it exported. */
  record Established(DTLSTransport association, BridgeDtls.Keys keys, boolean server) {
    SrtpSession srtpSession() {
      return new SrtpSession(keys.profile(), keys.keyingMaterial(), server);
    }
  }

  private final BridgeDtls.QueueTransport transport;

  EndpointDtls(BridgeDtls.Sender sender) {
    this.transport = new BridgeDtls.QueueTransport(sender);
  }

  /** The peer's setup: active makes the bridge the server; passive or actpass the client. */
  static boolean isDtlsServer(List<DtlsFingerprint> fingerprints) {
    for (DtlsFingerprint f : fingerprints) {
      if (f.setup() != null && f.setup().equalsIgnoreCase("active")) {
        return true;
      }
    }
    for (DtlsFingerprint f : fingerprints) {
      if (f.setup() != null
          && (f.setup().equalsIgnoreCase("passive") || f.setup().equalsIgnoreCase("actpass"))) {
        return false;
      }
    }
    return true;
  }

  /** A DTLS record from the peer, queued for the handshake thread. */
  void offer(byte[] data, int off, int len) {
    transport.offer(data, off, len);
  }

  /** Runs the handshake on the calling thread (blocking until it completes or fails). */
  Established handshake(
      boolean server, List<DtlsFingerprint> fingerprints, DtlsCertificate certificate)
      throws IOException {
    BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    if (server) {
      BridgeDtls.Server tlsServer = new BridgeDtls.Server(crypto, certificate, fingerprints);
      DTLSTransport association = new DTLSServerProtocol().accept(tlsServer, transport);
      return new Established(association, tlsServer.keys(), true);
    }
    BridgeDtls.Client tlsClient = new BridgeDtls.Client(crypto, certificate, fingerprints);
    DTLSTransport association = new DTLSClientProtocol().connect(tlsClient, transport);
    return new Established(association, tlsClient.keys(), false);
  }

  /** Keeps serving the association (retransmitted flights, close_notify) while {@code open}. */
  static void serve(DTLSTransport association, BooleanSupplier open) {
    byte[] buf = new byte[2048];
    while (open.getAsBoolean()) {
      try {
        association.receive(buf, 0, buf.length, 1000);
      } catch (IOException e) {
        break;
      }
    }
  }

  void close() {
    transport.close();
  }
}
