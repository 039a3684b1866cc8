package io.openmeet.transport;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Hashtable;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
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

/**
 * Our DTLS 1.2 server and client for DTLS-SRTP (RFC 5763/5764) on BouncyCastle: ECDHE-ECDSA, the
 * peer's certificate checked against its signalled fingerprints, use_srtp, keys from the exporter.
 */
final class DtlsSrtpPeers {

  static final int[] CIPHER_SUITES = {
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
  };

  private DtlsSrtpPeers() {}

  /** The negotiated SRTP profile and the exported keying material. */
  record Keys(SrtpProfile profile, byte[] keyingMaterial) {}

  /**
   * What either side of ours needs: the crypto, our certificate, the peer's signalled fingerprints,
   * the SRTP profile ids we offer or accept (our preference first), the handshake's time limit and
   * the first retransmission time of a flight that got no answer.
   */
  record Side(
      BcTlsCrypto crypto,
      DtlsCertificate certificate,
      List<DtlsFingerprint> peerFingerprints,
      int[] srtpProfiles,
      int handshakeTimeoutMillis,
      int resendMillis) {
    Side {
      peerFingerprints = List.copyOf(peerFingerprints);
      srtpProfiles = srtpProfiles.clone();
    }

    TlsCredentialedSigner signer(TlsContext context) {
      return new BcDefaultTlsCredentialedSigner(
          new TlsCryptoParameters(context),
          crypto,
          certificate.privateKey(),
          certificate.tlsCertificate(crypto),
          new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
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
    SrtpProfile profile = SrtpProfile.byId(chosenProfile);
    if (profile == null) {
      throw new TlsFatalAlert(AlertDescription.illegal_parameter, "no SRTP profile negotiated");
    }
    byte[] km =
        context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, profile.keyingMaterialLength());
    return new Keys(profile, km);
  }

  /** We are the DTLS server (the peer signalled setup=active). */
  static final class Server extends DefaultTlsServer {
    private final Side side;
    private int chosenProfile = -1;
    private volatile Keys keys;

    Server(Side side) {
      super(side.crypto());
      this.side = side;
    }

    Keys keys() {
      return keys;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return side.handshakeTimeoutMillis();
    }

    @Override
    public int getHandshakeResendTimeMillis() {
      return side.resendMillis();
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
      for (int ours : side.srtpProfiles()) {
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
      return side.signer(context);
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
      verify(clientCertificate, side.peerFingerprints());
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      keys = export(context, chosenProfile);
    }
  }

  /** We are the DTLS client (the peer signalled setup=passive or actpass). */
  static final class Client extends DefaultTlsClient {
    private final Side side;
    private int chosenProfile = -1;
    private volatile Keys keys;

    Client(Side side) {
      super(side.crypto());
      this.side = side;
    }

    Keys keys() {
      return keys;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return side.handshakeTimeoutMillis();
    }

    @Override
    public int getHandshakeResendTimeMillis() {
      return side.resendMillis();
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
          extensions, new UseSRTPData(side.srtpProfiles(), TlsUtils.EMPTY_BYTES));
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
      int profile = chosen.getProtectionProfiles()[0];
      if (!contains(side.srtpProfiles(), profile)) {
        throw new TlsFatalAlert(
            AlertDescription.illegal_parameter, "server chose an SRTP profile we did not offer");
      }
      chosenProfile = profile;
    }

    @Override
    public TlsAuthentication getAuthentication() {
      return new TlsAuthentication() {
        @Override
        public void notifyServerCertificate(TlsServerCertificate serverCertificate)
            throws IOException {
          verify(serverCertificate.getCertificate(), side.peerFingerprints());
        }

        @Override
        public TlsCredentials getClientCredentials(CertificateRequest request) {
          return side.signer(context);
        }
      };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      keys = export(context, chosenProfile);
    }
  }

  private static boolean contains(int[] values, int value) {
    for (int v : values) {
      if (v == value) {
        return true;
      }
    }
    return false;
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
