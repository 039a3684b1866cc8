package io.openmeet.transport;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * One DTLS 1.2 association for DTLS-SRTP over a datagram path the owner demultiplexes: DTLS records
 * go in through {@link #offer}, the handshake runs on the caller's thread, the peer's certificate
 * must match a signalled fingerprint, and the exported keys make the {@link SrtpSession}.
 */
public final class DtlsAssociation {

  /** How long a handshake may take before it fails, unless the caller says otherwise. */
  public static final int DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 20_000;

  /**
   * When a flight that got no answer is first sent again (then twice as late each time), unless the
   * caller says otherwise: BouncyCastle's default, about what a browser waits.
   */
  public static final int DEFAULT_RESEND_MILLIS = 1000;

  /** A completed handshake: the association to keep serving and the SRTP keys it exported. */
  public static final class Established {
    private final DTLSTransport association;
    private final SrtpProfile profile;
    private final byte[] keyingMaterial;
    private final boolean server;

    Established(
        DTLSTransport association, SrtpProfile profile, byte[] keyingMaterial, boolean server) {
      this.association = association;
      this.profile = profile;
      this.keyingMaterial = keyingMaterial.clone();
      this.server = server;
    }

    /** The negotiated SRTP protection profile. */
    public SrtpProfile profile() {
      return profile;
    }

    /** Whether we were the DTLS server. */
    public boolean server() {
      return server;
    }

    /** The exported keying material (RFC 5764 4.2). */
    public byte[] keyingMaterial() {
      return keyingMaterial.clone();
    }

    /** A new SRTP session keyed from this handshake, for our side of it. */
    public SrtpSession srtpSession() {
      return new SrtpSession(profile, keyingMaterial, server);
    }

    /**
     * Keeps serving the association while {@code open}: a peer whose last flight lost our answer
     * retransmits it, and only a reading side answers again (else the peer's handshake times out).
     */
    public void serve(BooleanSupplier open) {
      byte[] buf = new byte[2048];
      while (open.getAsBoolean()) {
        try {
          association.receive(buf, 0, buf.length, 1000);
        } catch (IOException e) {
          break;
        }
      }
    }
  }

  private final DatagramQueue transport;

  /** An association that sends its records through {@code sender}. */
  public DtlsAssociation(DatagramQueue.Sender sender) {
    this.transport = new DatagramQueue(sender);
  }

  /**
   * Our role from the peer's {@code setup} (RFC 5763): a peer that is active makes us the server;
   * passive or actpass the client. With no setup at all we serve, as the answerer does by default.
   */
  public static boolean isServerFor(List<DtlsFingerprint> peerFingerprints) {
    for (DtlsFingerprint f : peerFingerprints) {
      if (f.setup() != null && f.setup().equalsIgnoreCase("active")) {
        return true;
      }
    }
    for (DtlsFingerprint f : peerFingerprints) {
      if (f.setup() != null
          && (f.setup().equalsIgnoreCase("passive") || f.setup().equalsIgnoreCase("actpass"))) {
        return false;
      }
    }
    return true;
  }

  /** A DTLS record from the peer, queued for the handshake thread. */
  public void offer(byte[] data, int off, int len) {
    transport.offer(data, off, len);
  }

  /** {@link #handshake(boolean, List, DtlsCertificate, int[], int)} with every profile we know. */
  public Established handshake(
      boolean server, List<DtlsFingerprint> peerFingerprints, DtlsCertificate certificate)
      throws IOException {
    return handshake(
        server, peerFingerprints, certificate, SrtpProfile.ids(), DEFAULT_HANDSHAKE_TIMEOUT_MILLIS);
  }

  /**
   * Runs the handshake on the calling thread, blocking until it completes, fails or times out.
   *
   * @param srtpProfiles the SRTP profile ids we offer (client) or accept (server), preferred first
   */
  public Established handshake(
      boolean server,
      List<DtlsFingerprint> peerFingerprints,
      DtlsCertificate certificate,
      int[] srtpProfiles,
      int timeoutMillis)
      throws IOException {
    return handshake(
        server, peerFingerprints, certificate, srtpProfiles, timeoutMillis, DEFAULT_RESEND_MILLIS);
  }

  /**
   * {@link #handshake(boolean, List, DtlsCertificate, int[], int)} whose unanswered flights are
   * first sent again after {@code resendMillis}.
   */
  public Established handshake(
      boolean server,
      List<DtlsFingerprint> peerFingerprints,
      DtlsCertificate certificate,
      int[] srtpProfiles,
      int timeoutMillis,
      int resendMillis)
      throws IOException {
    if (resendMillis < 1) {
      throw new IllegalArgumentException("resendMillis must be positive");
    }
    DtlsSrtpPeers.Side side =
        new DtlsSrtpPeers.Side(
            new BcTlsCrypto(new SecureRandom()),
            certificate,
            peerFingerprints,
            srtpProfiles,
            timeoutMillis,
            resendMillis);
    if (server) {
      DtlsSrtpPeers.Server tlsServer = new DtlsSrtpPeers.Server(side);
      DTLSTransport association = new DTLSServerProtocol().accept(tlsServer, transport);
      DtlsSrtpPeers.Keys keys = tlsServer.keys();
      return new Established(association, keys.profile(), keys.keyingMaterial(), true);
    }
    DtlsSrtpPeers.Client tlsClient = new DtlsSrtpPeers.Client(side);
    DTLSTransport association = new DTLSClientProtocol().connect(tlsClient, transport);
    DtlsSrtpPeers.Keys keys = tlsClient.keys();
    return new Established(association, keys.profile(), keys.keyingMaterial(), false);
  }

  /** Ends a handshake in progress and the serving of an established association. */
  public void close() {
    transport.close();
  }
}
