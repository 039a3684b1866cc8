package io.openmeet.roomapi.security;

import io.openmeet.roomapi.config.OpenmeetConfig;
import io.quarkus.elytron.security.common.BcryptUtil;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;

/**
 * bcrypt hashes for room passwords; the plain password is never stored or logged. bcrypt reads only
 * the first 72 bytes, so longer passwords are refused (never truncated): they cannot be set, and
 * never match.
 */
@ApplicationScoped
public class PasswordHasher {

  /** The most UTF-8 bytes of a password bcrypt reads. */
  public static final int MAX_BYTES = 72;

  private final int cost;

  PasswordHasher(OpenmeetConfig config) {
    this.cost = config.rooms().passwordHashCost();
  }

  /**
   * @throws IllegalArgumentException for a password over {@link #MAX_BYTES} (the service refuses
   *     those before)
   */
  public String hash(String password) {
    if (!fits(password)) {
      throw new IllegalArgumentException("a password over " + MAX_BYTES + " bytes");
    }
    return BcryptUtil.bcryptHash(password, cost);
  }

  /** Whether bcrypt reads all of {@code password}. */
  public static boolean fits(String password) {
    return password.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
  }

  /** Whether {@code password} matches {@code hash}; false for a null password. */
  public boolean matches(String password, String hash) {
    if (password == null || hash == null || !fits(password)) {
      return false; // a longer one would match on its first 72 bytes alone
    }
    return BcryptUtil.matches(password, hash);
  }
}
