package io.openmeet.roomapi.signalling;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived TURN credentials for `joined.iceServers`, in coturn's shared-secret scheme ({@code
 * --use-auth-secret}): the user name is {@code <expiry epoch seconds>:<user id>} and the password
 * is base64(HMAC-SHA1(secret, user name)), so coturn checks them without a database.
 */
@Singleton
public class TurnCredentials {

  /** The TURN relays handed to browsers (the Helm chart sets these from its coturn settings). */
  @ConfigMapping(prefix = "openmeet.turn")
  public interface TurnConfig {
    /** TURN URIs, e.g. {@code turn:turn.example.org:3478?transport=udp}; none = no TURN offered. */
    Optional<List<String>> uris();

    /** coturn's {@code static-auth-secret}; without it no TURN server is offered. */
    Optional<String> secret();

    /** How long the credentials handed to one browser stay valid. */
    @WithDefault("12h")
    Duration credentialTtl();
  }

  private final TurnConfig config;
  private final Clock clock;

  @Inject
  TurnCredentials(TurnConfig config) {
    this(config, Clock.systemUTC());
  }

  TurnCredentials(TurnConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** The ICE servers for one participant: empty when no TURN relay is configured. */
  public List<ServerMessage.IceServer> forUser(String userId) {
    List<String> uris = config.uris().orElse(List.of()).stream().filter(u -> !u.isBlank()).toList();
    String secret = config.secret().orElse("");
    if (uris.isEmpty() || secret.isEmpty()) {
      return List.of();
    }
    long expires = clock.instant().plus(config.credentialTtl()).getEpochSecond();
    String username = expires + ":" + userId.replace(':', '_');
    return List.of(new ServerMessage.IceServer(uris, username, hmac(secret, username)));
  }

  static String hmac(String secret, String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
    }
  }
}
