package io.openmeet.roomapi.security;

import io.openmeet.roomapi.config.OpenmeetConfig;
import io.quarkus.elytron.security.common.BcryptUtil;
import jakarta.enterprise.context.ApplicationScoped;

/** bcrypt hashes for room passwords; the plain password is never stored or logged. */
@ApplicationScoped
public class PasswordHasher {

  private final int cost;

  PasswordHasher(OpenmeetConfig config) {
    this.cost = config.rooms().passwordHashCost();
  }

  public String hash(String password) {
    return BcryptUtil.bcryptHash(password, cost);
  }

  /** Whether {@code password} matches {@code hash}; false for a null password. */
  public boolean matches(String password, String hash) {
    if (password == null || hash == null) {
      return false;
    }
    return BcryptUtil.matches(password, hash);
  }
}
