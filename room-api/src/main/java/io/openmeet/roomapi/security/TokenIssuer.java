package io.openmeet.roomapi.security;

import io.openmeet.roomapi.config.OpenmeetConfig;
import io.quarkus.runtime.Startup;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Signs RS256 tokens in Jitsi's format with the private key from configuration. Created at startup,
 * so native crypto (when enabled) is in place before the first token is signed or verified.
 */
@Startup
@ApplicationScoped
public class TokenIssuer {

  private final OpenmeetConfig.Jwt settings;
  private final PrivateKey key;

  TokenIssuer(OpenmeetConfig config) {
    this.settings = config.jwt();
    if (settings.nativeCrypto()) {
      NativeCrypto.install(); // before the key is read, so the key is the provider's own
    }
    this.key = readPrivateKey(Path.of(settings.privateKeyFile()));
  }

  /** A signed token and when it expires. */
  public record IssuedToken(String token, Instant expiresAt) {}

  /** The person a token is issued to; every field but {@code name} may be null. */
  public record Person(String id, String name, String email) {}

  /**
   * A token to join one room ({@code room} = its slug) while the room's access version is {@code
   * accessVersion}; it lives openmeet.jwt.join-token-ttl, never longer than the maximum.
   */
  public IssuedToken joinToken(
      UUID roomId, String slug, Person person, boolean moderator, int accessVersion) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("roomId", roomId.toString());
    extra.put("accessVersion", accessVersion);
    Duration ttl = settings.joinTokenTtl();
    if (ttl.compareTo(settings.maxJoinTokenLifetime()) > 0) {
      ttl = settings.maxJoinTokenLifetime();
    }
    return sign(slug, person, moderator, List.of(), ttl, extra);
  }

  /** A token that stands for a registered user in every room ({@code room} = {@code *}). */
  public IssuedToken userToken(Person person, boolean admin) {
    return sign(
        Caller.ANY_ROOM,
        person,
        false,
        admin ? List.of(CallerResolver.ADMIN_ROLE, "user") : List.of("user"),
        settings.userTokenTtl(),
        Map.of());
  }

  private IssuedToken sign(
      String room,
      Person person,
      boolean moderator,
      List<String> groups,
      Duration ttl,
      Map<String, Object> extra) {
    Instant now = Instant.now();
    Instant exp = now.plus(ttl);
    Map<String, Object> user = new LinkedHashMap<>();
    if (person.id() != null) {
      user.put("id", person.id());
    }
    user.put("name", person.name());
    if (person.email() != null) {
      user.put("email", person.email());
    }
    var claims =
        Jwt.issuer(settings.issuer())
            .audience(settings.audience())
            .subject(settings.tenant())
            .issuedAt(now)
            .expiresAt(exp)
            .claim("nbf", now.getEpochSecond())
            .claim("jti", UUID.randomUUID().toString())
            .claim("room", room)
            .claim("moderator", moderator)
            .claim("context", Map.of("user", user));
    if (!groups.isEmpty()) {
      claims.groups(new java.util.LinkedHashSet<>(groups));
    }
    extra.forEach(claims::claim);
    return new IssuedToken(claims.jws().sign(key), exp);
  }

  /**
   * Reads a PKCS#8 PEM RSA private key ({@code openssl genpkey} output).
   *
   * @throws IllegalStateException with the path and the reason, at start-up
   */
  static PrivateKey readPrivateKey(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the JWT signing key "
              + file.toAbsolutePath()
              + " (openmeet.jwt.private-key-file / JWT_PRIVATE_KEY_FILE)",
          e);
    }
    if (pem.contains("BEGIN RSA PRIVATE KEY")) {
      throw new IllegalStateException(
          file + " is a PKCS#1 key; convert it with `openssl pkcs8 -topk8 -nocrypt`");
    }
    String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s+", "");
    try {
      return KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(file + " holds no PKCS#8 RSA private key", e);
    }
  }
}
