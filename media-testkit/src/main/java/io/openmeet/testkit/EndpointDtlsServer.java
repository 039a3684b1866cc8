package io.openmeet.testkit;

import io.openmeet.litebridge.media.DtlsCertificate;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Hashtable;
import java.util.HexFormat;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The synthetic endpoint as DTLS server ({@code setup=passive}): the bridge must then connect as
 * the DTLS client. Checks the bridge's certificate against the signalled fingerprint.
 */
final class EndpointDtlsServer extends DefaultTlsServer {

  private final BcTlsCrypto crypto;
  private final DtlsCertificate certificate;
  private final String expectedFingerprint;
  private final int[] acceptedProfiles;
  private int chosenProfile = -1;
  private byte[] keyingMaterial;

  EndpointDtlsServer(
      BcTlsCrypto crypto, DtlsCertificate certificate, String expected, int[] acceptedProfiles) {
    super(crypto);
    this.crypto = crypto;
    this.certificate = certificate;
    this.expectedFingerprint = DtlsCertificate.normalize(expected);
    this.acceptedProfiles = acceptedProfiles.clone();
  }

  int chosenProfile() {
    return chosenProfile;
  }

  byte[] keyingMaterial() {
    return keyingMaterial;
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    return ProtocolVersion.DTLSv12.only();
  }

  @Override
  protected int[] getSupportedCipherSuites() {
    return new int[] {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  }

  @Override
  public int getHandshakeTimeoutMillis() {
    return 15_000;
  }

  @Override
  @SuppressWarnings("rawtypes")
  public void processClientExtensions(Hashtable clientExtensions) throws IOException {
    super.processClientExtensions(clientExtensions);
    UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
    if (offered != null) {
      for (int ours : acceptedProfiles) {
        for (int theirs : offered.getProtectionProfiles()) {
          if (ours == theirs && chosenProfile < 0) {
            chosenProfile = ours;
          }
        }
      }
    }
    if (chosenProfile < 0) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common SRTP profile");
    }
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public Hashtable getServerExtensions() throws IOException {
    Hashtable extensions = super.getServerExtensions();
    if (extensions == null) {
      extensions = new Hashtable<>();
    }
    TlsSRTPUtils.addUseSRTPExtension(
        extensions, new UseSRTPData(new int[] {chosenProfile}, TlsUtils.EMPTY_BYTES));
    return extensions;
  }

  @Override
  protected TlsCredentialedSigner getECDSASignerCredentials() {
    return new BcDefaultTlsCredentialedSigner(
        new TlsCryptoParameters(context),
        crypto,
        certificate.privateKey(),
        certificate.tlsCertificate(crypto),
        new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
  }

  @Override
  public CertificateRequest getCertificateRequest() {
    Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>();
    algorithms.add(new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign}, algorithms, null);
  }

  @Override
  public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
    if (clientCertificate == null || clientCertificate.isEmpty()) {
      throw new TlsFatalAlert(AlertDescription.bad_certificate);
    }
    byte[] der = clientCertificate.getCertificateAt(0).getEncoded();
    try {
      String actual =
          HexFormat.ofDelimiter(":")
              .withUpperCase()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
      if (!actual.equals(expectedFingerprint)) {
        throw new TlsFatalAlert(AlertDescription.bad_certificate, "bridge fingerprint mismatch");
      }
    } catch (NoSuchAlgorithmException e) {
      throw new TlsFatalAlert(AlertDescription.internal_error, e);
    }
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    keyingMaterial =
        context.exportKeyingMaterial(
            ExporterLabel.dtls_srtp, null, ClientSrtp.keyingMaterialLength(chosenProfile));
  }
}
