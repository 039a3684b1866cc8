package io.openmeet.roomapi.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import org.junit.jupiter.api.Test;

class NativeCryptoTest {

  @Test
  void onLinuxX8664TheNativeProviderSignsFirstAndTheJdkAcceptsItsSignatures() throws Exception {
    boolean supported =
        System.getProperty("os.name").equals("Linux")
            && System.getProperty("os.arch").equals("amd64");
    var provider = NativeCrypto.install();
    assertThat(provider.isPresent()).isEqualTo(supported);
    if (!supported) {
      return;
    }
    assertThat(Security.getProviders()[0]).isSameAs(provider.get());
    assertThat(NativeCrypto.install()).contains(provider.get()); // idempotent

    var pair = KeyPairGenerator.getInstance("RSA", "SunRsaSign");
    pair.initialize(2048);
    var keys = pair.generateKeyPair();
    // as TokenIssuer reads its PEM key: through the (now native) default KeyFactory
    var key =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(keys.getPrivate().getEncoded()));
    byte[] data = "header.payload".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(key);
    signer.update(data);
    byte[] signature = signer.sign();
    assertThat(signer.getProvider().getName()).isEqualTo(provider.get().getName());

    Signature jdk = Signature.getInstance("SHA256withRSA", "SunRsaSign");
    jdk.initVerify(keys.getPublic());
    jdk.update(data);
    assertThat(jdk.verify(signature)).isTrue();
    data[0] ^= 1;
    jdk.initVerify(keys.getPublic());
    jdk.update(data);
    assertThat(jdk.verify(signature)).isFalse();
  }
}
