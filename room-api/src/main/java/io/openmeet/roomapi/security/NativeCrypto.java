package io.openmeet.roomapi.security;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import java.security.Security;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Puts Amazon Corretto Crypto Provider (native AWS-LC) first in the JCA provider list, so every
 * {@code Signature.getInstance("SHA256withRSA")} — smallrye-jwt's signing and verification included
 * — runs natively. Refuses quietly (the JDK's providers stay in charge) when the native library
 * does not load or fails its self-test.
 */
final class NativeCrypto {

  private static final Logger LOG = Logger.getLogger(NativeCrypto.class);

  private NativeCrypto() {}

  /** The installed provider, or empty when the JDK's providers sign. Idempotent. */
  static synchronized Optional<Provider> install() {
    // by name: another class loader (e.g. a test's) may have installed its own copy already
    Provider first = Security.getProviders()[0];
    if (first.getName().equals(AmazonCorrettoCryptoProvider.PROVIDER_NAME)) {
      return Optional.of(first);
    }
    AmazonCorrettoCryptoProvider accp;
    try {
      accp = AmazonCorrettoCryptoProvider.INSTANCE;
      if (accp.getLoadingError() != null) {
        LOG.infof("native crypto unavailable (%s); the JDK signs tokens", accp.getLoadingError());
        return Optional.empty();
      }
      accp.assertHealthy();
    } catch (RuntimeException | LinkageError e) {
      LOG.warnf("native crypto failed its checks (%s); the JDK signs tokens", e.toString());
      return Optional.empty();
    }
    AmazonCorrettoCryptoProvider.install();
    LOG.infof("native crypto installed: %s %s", accp.getName(), accp.getVersionStr());
    return Optional.of(accp);
  }
}
