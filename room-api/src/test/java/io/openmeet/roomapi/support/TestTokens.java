package io.openmeet.roomapi.support;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Tokens for tests, signed with the development key (JWT_PRIVATE_KEY_FILE) like scripts/admin-token
 * does, plus forged ones. Fails loudly when the key variables are missing.
 */
public final class TestTokens {

  public static final String ISSUER = "openmeet";
  public static final String AUDIENCE = "openmeet";

  private TestTokens() {}

  public static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set: run the tests through scripts/test");
    }
    return value;
  }

  public static PrivateKey devPrivateKey() {
    try {
      String pem = Files.readString(Path.of(env("JWT_PRIVATE_KEY_FILE")));
      byte[] der =
          Base64.getDecoder()
              .decode(
                  pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", ""));
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read JWT_PRIVATE_KEY_FILE", e);
    }
  }

  public static PublicKey devPublicKey() {
    try {
      String pem = Files.readString(Path.of(env("JWT_PUBLIC_KEY_FILE")));
      byte[] der =
          Base64.getDecoder()
              .decode(pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", ""));
      return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read JWT_PUBLIC_KEY_FILE", e);
    }
  }

  /** Claims of a user token ({@code room} = *) for {@code userId}. */
  public static JwtClaimsBuilder userClaims(String userId, String name, String email) {
    Instant now = Instant.now();
    Map<String, Object> user =
        email == null
            ? Map.of("id", userId, "name", name)
            : Map.of("id", userId, "name", name, "email", email);
    return Jwt.issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("meet.local")
        .issuedAt(now)
        .expiresAt(now.plusSeconds(600))
        .claim("room", "*")
        .claim("moderator", false)
        .claim("context", Map.of("user", user));
  }

  public static String admin() {
    return userClaims("admin-" + UUID.randomUUID(), "Admin", null)
        .groups(Set.of("admin"))
        .jws()
        .sign(devPrivateKey());
  }

  public static String user(String userId, String name, String email) {
    return userClaims(userId, name, email).groups(Set.of("user")).jws().sign(devPrivateKey());
  }

  public static String signWithDevKey(JwtClaimsBuilder claims) {
    return claims.jws().sign(devPrivateKey());
  }

  /** Same claims, signed by a key the server has never seen. */
  public static String signWithStrangerKey(JwtClaimsBuilder claims) {
    try {
      var generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return claims.jws().sign(generator.generateKeyPair().getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned token ({@code alg: none}) with admin claims. */
  public static String unsignedAdmin() {
    String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    long now = Instant.now().getEpochSecond();
    String payload =
        b64(
            "{\"iss\":\""
                + ISSUER
                + "\",\"aud\":\""
                + AUDIENCE
                + "\",\"sub\":\"meet.local\",\"room\":\"*\",\"groups\":[\"admin\"],\"iat\":"
                + now
                + ",\"exp\":"
                + (now + 600)
                + ",\"context\":{\"user\":{\"id\":\"x\",\"name\":\"x\"}}}");
    return header + "." + payload + ".";
  }

  /** Verifies an RS256 signature with the dev public key, independently of smallrye-jwt. */
  public static boolean signatureValid(String token) {
    try {
      String[] parts = token.split("\\.");
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(devPublicKey());
      rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      return rsa.verify(Base64.getUrlDecoder().decode(parts[2]));
    } catch (Exception e) {
      return false;
    }
  }

  /** The decoded JSON header or payload (part 0 or 1). */
  public static String part(String token, int index) {
    return new String(
        Base64.getUrlDecoder().decode(token.split("\\.")[index]), StandardCharsets.UTF_8);
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
