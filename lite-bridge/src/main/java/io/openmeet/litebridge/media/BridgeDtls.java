package io.openmeet.litebridge.media;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Hashtable;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Vector;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/** The bridge's DTLS 1.2 server and client for DTLS-SRTP (RFC 5763/5764) on BouncyCastle. */
final class BridgeDtls {

  static final int[] CIPHER_SUITES = {
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
  };

  /** A peer that never completes the handshake fails the endpoint after this long. */
  static final int HANDSHAKE_TIMEOUT_MILLIS = 20_000;

  private BridgeDtls() {}

  /** The negotiated SRTP profile and the exported keying material. */
  record Keys(SrtpSession.Profile profile, byte[] keyingMaterial) {}

  /** Sends the bytes of a DTLS record over ICE. */
  interface Sender {
    void send(byte[] data, int off, int len) throws IOException;
  }

  /** A DatagramTransport fed by the demultiplexer (DTLS records) and sending over ICE. */
  static final class QueueTransport implements DatagramTransport {
    private static final byte[] CLOSED = new byte[0];
    private final BlockingQueue<byte[]> inbound = new LinkedBlockingQueue<>(256);
    private final Sender sender;
    private volatile boolean closed;

    QueueTransport(Sender sender) {
      this.sender = sender;
    }

    /** Queues a received DTLS record; drops it when the queue is full (a flood). */
    void offer(byte[] data, int off, int len) {
      if (!closed) {
        byte[] copy = new byte[len];
        System.arraycopy(data, off, copy, 0, len);
        inbound.offer(copy);
      }
    }

    @Override
    public int getReceiveLimit() {
      return 1500;
    }

    @Override
    public int getSendLimit() {
      return 1200;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
      if (closed) {
        throw new IOException("DTLS transport closed");
      }
      byte[] data;
      try {
        data = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
      if (data == null) {
        return -1;
      }
      if (data == CLOSED) {
        throw new IOException("DTLS transport closed");
      }
      int n = Math.min(len, data.length);
      System.arraycopy(data, 0, buf, off, n);
      return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("DTLS transport closed");
      }
      sender.send(buf, off, len);
    }

    @Override
    public void close() {
      closed = true;
      inbound.clear();
      inbound.offer(CLOSED);
    }
  }

  /**
   * Checks the peer's certificate against the fingerprints signalled for it. Throws a
   * bad_certificate alert when none matches.
   */
  static void verify(Certificate certificate, List<DtlsFingerprint> fingerprints)
      throws IOException {
    if (certificate == null || certificate.isEmpty()) {
      throw new TlsFatalAlert(AlertDescription.bad_certificate, "the peer sent no certificate");
    }
    byte[] der = certificate.getCertificateAt(0).getEncoded();
    boolean checked = false;
    for (DtlsFingerprint fingerprint : fingerprints) {
      String algorithm = digestName(fingerprint.hash());
      if (algorithm == null || fingerprint.value() == null) {
        continue;
      }
      checked = true;
      String actual;
      try {
        actual =
            HexFormat.ofDelimiter(":")
                .withUpperCase()
                .formatHex(MessageDigest.getInstance(algorithm).digest(der));
      } catch (GeneralSecurityException e) {
        continue;
      }
      if (actual.equals(DtlsCertificate.normalize(fingerprint.value()))) {
        return;
      }
    }
    throw new TlsFatalAlert(
        AlertDescription.bad_certificate,
        checked
            ? "the peer certificate matches no signalled fingerprint"
            : "no usable fingerprint was signalled for the peer");
  }

  private static String digestName(String hash) {
    if (hash == null) {
      return null;
    }
    return switch (hash.toLowerCase(Locale.ROOT)) {
      case "sha-1" -> "SHA-1";
      case "sha-224" -> "SHA-224";
      case "sha-256" -> "SHA-256";
      case "sha-384" -> "SHA-384";
      case "sha-512" -> "SHA-512";
      default -> null;
    };
  }

  private static Keys export(TlsContext context, int chosenProfile) throws IOException {
    SrtpSession.Profile profile = SrtpSession.Profile.byId(chosenProfile);
    if (profile == null) {
      throw new TlsFatalAlert(AlertDescription.illegal_parameter, "no SRTP profile negotiated");
    }
    byte[] km =
        context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, profile.keyingMaterialLength());
    return new Keys(profile, km);
  }

  private static TlsCredentialedSigner signer(
      TlsContext context, BcTlsCrypto crypto, DtlsCertificate certificate) {
    return new BcDefaultTlsCredentialedSigner(
        new TlsCryptoParameters(context),
        crypto,
        certificate.privateKey(),
        certificate.tlsCertificate(crypto),
        new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
  }

  /** The bridge as DTLS server (the peer signalled setup=active). */
  static final class Server extends DefaultTlsServer {
    private final BcTlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final List<DtlsFingerprint> peerFingerprints;
    private int chosenProfile = -1;
    private volatile Keys keys;

    Server(BcTlsCrypto crypto, DtlsCertificate certificate, List<DtlsFingerprint> peer) {
      super(crypto);
      this.crypto = crypto;
      this.certificate = certificate;
      this.peerFingerprints = List.copyOf(peer);
    }

    Keys keys() {
      return keys;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return HANDSHAKE_TIMEOUT_MILLIS;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return CIPHER_SUITES.clone();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
      super.processClientExtensions(clientExtensions);
      UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
      if (offered == null) {
        throw new TlsFatalAlert(
            AlertDescription.handshake_failure, "client did not offer use_srtp");
      }
      for (int ours : SrtpSession.Profile.IDS) {
        for (int theirs : offered.getProtectionProfiles()) {
          if (ours == theirs) {
            chosenProfile = ours;
            return;
          }
        }
      }
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common SRTP profile");
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getServerExtensions() throws IOException {
      Hashtable extensions = TlsExtensionsUtilsBridge.ensure(super.getServerExtensions());
      TlsSRTPUtils.addUseSRTPExtension(
          extensions, new UseSRTPData(new int[] {chosenProfile}, TlsUtils.EMPTY_BYTES));
      return extensions;
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() {
      return signer(context, crypto, certificate);
    }

    @Override
    public CertificateRequest getCertificateRequest() {
      Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>();
      algorithms.add(new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
      algorithms.add(new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.rsa));
      return new CertificateRequest(
          new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
          algorithms,
          null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
      verify(clientCertificate, peerFingerprints);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      keys = export(context, chosenProfile);
    }
  }

  /** The bridge as DTLS client (the peer signalled setup=passive). */
  static final class Client extends DefaultTlsClient {
    private final BcTlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final List<DtlsFingerprint> peerFingerprints;
    private int chosenProfile = -1;
    private volatile Keys keys;

    Client(BcTlsCrypto crypto, DtlsCertificate certificate, List<DtlsFingerprint> peer) {
      super(crypto);
      this.crypto = crypto;
      this.certificate = certificate;
      this.peerFingerprints = List.copyOf(peer);
    }

    Keys keys() {
      return keys;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return HANDSHAKE_TIMEOUT_MILLIS;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return CIPHER_SUITES.clone();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getClientExtensions() throws IOException {
      Hashtable extensions = TlsExtensionsUtilsBridge.ensure(super.getClientExtensions());
      TlsSRTPUtils.addUseSRTPExtension(
          extensions, new UseSRTPData(SrtpSession.Profile.IDS.clone(), TlsUtils.EMPTY_BYTES));
      return extensions;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
      super.processServerExtensions(serverExtensions);
      UseSRTPData chosen = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
      if (chosen == null || chosen.getProtectionProfiles().length != 1) {
        throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server chose no SRTP profile");
      }
      chosenProfile = chosen.getProtectionProfiles()[0];
    }

    @Override
    public TlsAuthentication getAuthentication() {
      return new TlsAuthentication() {
        @Override
        public void notifyServerCertificate(TlsServerCertificate serverCertificate)
            throws IOException {
          verify(serverCertificate.getCertificate(), peerFingerprints);
        }

        @Override
        public TlsCredentials getClientCredentials(CertificateRequest request) {
          return signer(context, crypto, certificate);
        }
      };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      keys = export(context, chosenProfile);
    }
  }

  /** Null-safe access to extension tables. */
  static final class TlsExtensionsUtilsBridge {
    private TlsExtensionsUtilsBridge() {}

    @SuppressWarnings("rawtypes")
    static Hashtable ensure(Hashtable table) {
      return table == null ? new Hashtable<>() : table;
    }
  }
}
