package io.openmeet.transport;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A self-signed ECDSA P-256 certificate for DTLS-SRTP and its SHA-256 fingerprint. The bridge has
 * one for its whole life; synthetic endpoints make their own.
 */
public final class DtlsCertificate {

  private final KeyPair keyPair;
  private final byte[] der;
  private final String sha256Fingerprint;

  private DtlsCertificate(KeyPair keyPair, byte[] der) {
    this.keyPair = keyPair;
    this.der = der.clone();
    this.sha256Fingerprint = fingerprintOf(der);
  }

  /** Generates a fresh key pair and a certificate valid from one day ago for thirty days. */
  public static DtlsCertificate generate(String commonName) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keyPair = generator.generateKeyPair();
      X500Name name = new X500Name("CN=" + commonName);
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              new BigInteger(63, new SecureRandom()),
              Date.from(now.minus(Duration.ofDays(1))),
              Date.from(now.plus(Duration.ofDays(30))),
              name,
              keyPair.getPublic());
      X509CertificateHolder holder =
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()));
      return new DtlsCertificate(keyPair, holder.getEncoded());
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot generate the DTLS certificate", e);
    }
  }

  /** SHA-256 of a DER certificate as upper-case hex pairs separated by colons. */
  public static String fingerprintOf(byte[] der) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /**
   * Normalises a signalled fingerprint value for comparison (upper case, no whitespace), so that
   * {@code aa:bb} and {@code AA:BB} compare equal.
   */
  public static String normalize(String fingerprint) {
    return fingerprint == null ? "" : fingerprint.trim().toUpperCase(Locale.ROOT);
  }

  /** The fingerprint value, e.g. {@code 2E:CC:...}. */
  public String sha256Fingerprint() {
    return sha256Fingerprint;
  }

  /** The DER encoding of the certificate. */
  public byte[] der() {
    return der.clone();
  }

  /** The certificate chain (of one) for BouncyCastle's TLS API. */
  public Certificate tlsCertificate(BcTlsCrypto crypto) {
    try {
      return new Certificate(new TlsCertificate[] {new BcTlsCertificate(crypto, der)});
    } catch (IOException e) {
      throw new IllegalStateException("cannot parse our own certificate", e);
    }
  }

  /** The private key for BouncyCastle's lightweight signer. */
  public AsymmetricKeyParameter privateKey() {
    try {
      return PrivateKeyFactory.createKey(keyPair.getPrivate().getEncoded());
    } catch (IOException e) {
      throw new IllegalStateException("cannot decode our own private key", e);
    }
  }
}
