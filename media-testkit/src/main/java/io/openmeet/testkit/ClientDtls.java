package io.openmeet.testkit;

import io.openmeet.litebridge.media.DtlsCertificate;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Hashtable;
import java.util.HexFormat;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
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
 * A browser-like DTLS-SRTP client: DTLS 1.2, ECDHE-ECDSA, use_srtp with the given profiles, checks
 * the bridge's certificate against the SHA-256 fingerprint from Colibri2.
 */
final class ClientDtls extends DefaultTlsClient {

  private final BcTlsCrypto crypto;
  private final DtlsCertificate certificate;
  private final String expectedFingerprint;
  private final int[] offeredProfiles;
  private int chosenProfile = -1;
  private byte[] keyingMaterial;

  ClientDtls(
      BcTlsCrypto crypto,
      DtlsCertificate certificate,
      String expectedFingerprint,
      int[] offeredProfiles) {
    super(crypto);
    this.crypto = crypto;
    this.certificate = certificate;
    this.expectedFingerprint = DtlsCertificate.normalize(expectedFingerprint);
    this.offeredProfiles = offeredProfiles.clone();
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
    return new int[] {
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    };
  }

  @Override
  public int getHandshakeTimeoutMillis() {
    return 15_000;
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public Hashtable getClientExtensions() throws IOException {
    Hashtable extensions = super.getClientExtensions();
    if (extensions == null) {
      extensions = new Hashtable<>();
    }
    TlsSRTPUtils.addUseSRTPExtension(
        extensions, new UseSRTPData(offeredProfiles.clone(), TlsUtils.EMPTY_BYTES));
    return extensions;
  }

  @Override
  @SuppressWarnings("rawtypes")
  public void processServerExtensions(Hashtable serverExtensions) throws IOException {
    super.processServerExtensions(serverExtensions);
    UseSRTPData data = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
    if (data == null || data.getProtectionProfiles().length != 1) {
      throw new TlsFatalAlert(AlertDescription.illegal_parameter, "no use_srtp in ServerHello");
    }
    chosenProfile = data.getProtectionProfiles()[0];
  }

  @Override
  public TlsAuthentication getAuthentication() {
    return new TlsAuthentication() {
      @Override
      public void notifyServerCertificate(TlsServerCertificate server) throws IOException {
        if (server.getCertificate() == null || server.getCertificate().isEmpty()) {
          throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
        byte[] der = server.getCertificate().getCertificateAt(0).getEncoded();
        String actual;
        try {
          actual =
              HexFormat.ofDelimiter(":")
                  .withUpperCase()
                  .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
          throw new TlsFatalAlert(AlertDescription.internal_error, e);
        }
        if (!actual.equals(expectedFingerprint)) {
          throw new TlsFatalAlert(
              AlertDescription.bad_certificate, "bridge certificate does not match fingerprint");
        }
      }

      @Override
      public TlsCredentials getClientCredentials(CertificateRequest request) {
        return new BcDefaultTlsCredentialedSigner(
            new TlsCryptoParameters(context),
            crypto,
            certificate.privateKey(),
            certificate.tlsCertificate(crypto),
            new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
      }
    };
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    keyingMaterial =
        context.exportKeyingMaterial(
            ExporterLabel.dtls_srtp, null, ClientSrtp.keyingMaterialLength(chosenProfile));
  }
}
